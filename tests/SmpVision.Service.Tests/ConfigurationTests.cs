using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using SmpVision.Service.Configuration;
using SmpVision.Service.Hosting;

namespace SmpVision.Service.Tests;

/// <summary>
/// A bad configuration value stops the service at start with a reason. The host is built and
/// started here, on the test's own thread, with the service's registration (AddSmpVision): a
/// WebApplicationFactory runs Program on a thread of its own that disposes the host while the
/// factory still reads it, which failed about once in 100-150 runs (ObjectDisposedException).
/// </summary>
public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("SmpVision:Service:MaxConcurrentAnalyses", "-1", "MaxConcurrentAnalyses")]
    [InlineData("SmpVision:Service:MaxUnaryImageBytes", "10", "MaxUnaryImageBytes")]
    [InlineData("SmpVision:Pipeline:Decoding:MaxPixels", "12", "MaxPixels")]
    public async Task Invalid_configuration_stops_the_service_at_start_with_a_reason(string key, string value, string expected)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [key] = value });
        builder.WebHost.UseTestServer();
        builder.AddSmpVision();
        await using var app = builder.Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Valid_defaults_pass_the_validators()
    {
        Assert.True(new ServiceOptionsValidator().Validate(null, new ServiceOptions()).Succeeded);
        Assert.True(new AnalyzerOptionsValidator().Validate(null, new Pipeline.Analysis.AnalyzerOptions()).Succeeded);
    }
}
