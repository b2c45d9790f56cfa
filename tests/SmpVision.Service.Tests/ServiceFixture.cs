using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;

namespace SmpVision.Service.Tests;

/// <summary>
/// The real service in process (TestServer) with a gRPC channel over its handler. Limits are
/// lowered so that over-size cases stay cheap: 2 MiB per unary image, 48 MiB per upload.
/// </summary>
public sealed class ServiceFixture : WebApplicationFactory<Program>
{
    public const int UnaryLimitBytes = 2 * 1024 * 1024;

    private GrpcChannel? _channel;

    /// <summary>Records of this fixture (SQLite and photos), removed on dispose.</summary>
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "smpvision-service-tests-" + Guid.NewGuid().ToString("N")[..12]);

    public GrpcChannel Channel => _channel ??= GrpcChannel.ForAddress(Server.BaseAddress, new GrpcChannelOptions
    {
        HttpHandler = Server.CreateHandler(),
        MaxReceiveMessageSize = null,
        MaxSendMessageSize = null,
    });

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.ConfigureAppConfiguration(c => c.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["SmpVision:Service:MaxUnaryImageBytes"] = UnaryLimitBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["SmpVision:Service:MaxUploadBytes"] = (48 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["SmpVision:Service:MaxConcurrentAnalyses"] = "2",
            ["SmpVision:Service:QueueTimeoutSeconds"] = "0.2",
            // No keys for the analysis tests (access control has its own fixture); records in a temporary folder.
            ["SmpVision:Security:Mode"] = "LocalDevelopment",
            ["SmpVision:Records:DataDirectory"] = DataDirectory,
        }));
    }

    /// <summary>Waits until health says SERVING (warm-up done), at most 60 s.</summary>
    public async Task WaitUntilServingAsync()
    {
        var health = new Health.HealthClient(Channel);
        var until = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < until)
        {
            var reply = await health.CheckAsync(new HealthCheckRequest());
            if (reply.Status == HealthCheckResponse.Types.ServingStatus.Serving)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("The service did not report SERVING within 60 s.");
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _channel?.Dispose();
        }

        base.Dispose(disposing);
        if (disposing && Directory.Exists(DataDirectory))
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(DataDirectory, recursive: true);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ServiceCollection : ICollectionFixture<ServiceFixture>
{
    public const string Name = "service";
}
