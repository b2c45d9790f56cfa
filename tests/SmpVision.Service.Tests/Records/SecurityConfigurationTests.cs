using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using SmpVision.Service.Hosting;

namespace SmpVision.Service.Tests.Records;

/// <summary>Security and records configuration is checked at start; local development mode never serves beyond loopback.</summary>
public sealed class SecurityConfigurationTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "smpvision-security-config-" + Guid.NewGuid().ToString("N")[..8]);

    [Theory]
    [InlineData("SmpVision:Security:Mode", "Open", "Mode")]
    [InlineData("SmpVision:Security:ClientCertificateAuthorityPath", "/nonexistent/ca.pem", "ClientCertificateAuthorityPath")]
    [InlineData("SmpVision:Records:OrphanSweepMinimumAgeMinutes", "0", "OrphanSweepMinimumAgeMinutes")]
    public async Task Invalid_security_or_records_configuration_stops_the_service_with_a_reason(string key, string value, string expected)
    {
        await using var app = Build(new() { [key] = value });
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Local_development_mode_refuses_to_start_on_a_non_loopback_address()
    {
        await using var app = Build(new()
        {
            ["SmpVision:Security:Mode"] = "LocalDevelopment",
            ["Kestrel:Endpoints:Grpc:Url"] = "http://0.0.0.0:5180",
        });
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());
        Assert.Contains("localhost only", ex.Message, StringComparison.Ordinal);
        Assert.Contains("0.0.0.0", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_key_mode_may_serve_any_address()
    {
        await using var app = Build(new()
        {
            ["SmpVision:Security:Mode"] = "ApiKey",
            ["Kestrel:Endpoints:Grpc:Url"] = "http://0.0.0.0:5180",
        });
        await app.StartAsync();
        await app.StopAsync();
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    /// <summary>The service's registrations on a TestServer (configured URLs are read, never bound).</summary>
    private WebApplication Build(Dictionary<string, string?> settings)
    {
        settings["SmpVision:Records:DataDirectory"] = _dataDir;
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseTestServer();
        builder.AddSmpVision();
        builder.AddSmpVisionRecords();
        return builder.Build();
    }
}
