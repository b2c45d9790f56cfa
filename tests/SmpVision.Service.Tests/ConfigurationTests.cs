using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace SmpVision.Service.Tests;

public sealed class ConfigurationTests
{
    private sealed class Factory(string key, string value) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder) =>
            builder.ConfigureAppConfiguration(c => c.AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }));
    }

    [Theory]
    [InlineData("SmpVision:Service:MaxConcurrentAnalyses", "-1", "MaxConcurrentAnalyses")]
    [InlineData("SmpVision:Service:MaxUnaryImageBytes", "10", "MaxUnaryImageBytes")]
    [InlineData("SmpVision:Pipeline:Decoding:MaxPixels", "12", "MaxPixels")]
    public void Invalid_configuration_stops_the_service_at_start_with_a_reason(string key, string value, string expected)
    {
        using var factory = new Factory(key, value);
        var ex = Assert.Throws<OptionsValidationException>(() => factory.CreateClient());
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }
}
