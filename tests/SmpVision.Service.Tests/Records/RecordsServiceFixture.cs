using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using SmpVision.Contracts.V1;
using SmpVision.Records;

namespace SmpVision.Service.Tests.Records;

/// <summary>
/// The real service in process in API-key mode (the container default) with an SQLite store in a
/// temporary folder. Keys are created through the same store the admin command uses.
/// </summary>
public class RecordsServiceFixture : WebApplicationFactory<Program>
{
    private GrpcChannel? _channel;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "smpvision-records-service-" + Guid.NewGuid().ToString("N")[..12]);

    public GrpcChannel Channel => _channel ??= GrpcChannel.ForAddress(Server.BaseAddress, new GrpcChannelOptions
    {
        HttpHandler = Server.CreateHandler(),
        MaxReceiveMessageSize = null,
        MaxSendMessageSize = null,
    });

    public IRecordStore Store => Services.GetRequiredService<IRecordStore>();

    public IApiKeyStore Keys => Services.GetRequiredService<IApiKeyStore>();

    public IAuditTrail Audit => Services.GetRequiredService<IAuditTrail>();

    /// <summary>A new key of <paramref name="clinic"/>; returns the secret to send.</summary>
    public async Task<string> NewKeyAsync(string clinic) => (await Keys.CreateApiKeyAsync(clinic, "test")).Secret;

    /// <summary>A Records client whose calls carry <paramref name="key"/> as x-api-key (none when null).</summary>
    public global::SmpVision.Contracts.V1.Records.RecordsClient Records(string? key) =>
        new(key is null ? Channel.CreateCallInvoker() : Channel.CreateCallInvoker().Intercept(m => AddKey(m, key)));

    public ScalpAnalysis.ScalpAnalysisClient Analysis(string? key) =>
        new(key is null ? Channel.CreateCallInvoker() : Channel.CreateCallInvoker().Intercept(m => AddKey(m, key)));

    /// <summary>An HTTP client for the JSON routes, sending the key as x-api-key.</summary>
    public HttpClient Json(string? key)
    {
        var client = CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("x-api-key", key);
        }

        return client;
    }

    /// <summary>Settings a variant adds (e.g. a PostgreSQL connection string).</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var settings = new Dictionary<string, string?>
        {
            ["SmpVision:Security:Mode"] = "ApiKey",
            ["SmpVision:Records:DataDirectory"] = DataDirectory,
            ["SmpVision:Service:MaxConcurrentAnalyses"] = "2",
        };
        foreach (var (key, value) in ExtraSettings)
        {
            settings[key] = value;
        }

        builder.ConfigureAppConfiguration(c => c.AddInMemoryCollection(settings));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _channel?.Dispose();
        }

        base.Dispose(disposing);
        if (disposing)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            SmpVision.Records.Tests.PostgresServer.DeleteTree(DataDirectory);
        }
    }

    private static Metadata AddKey(Metadata metadata, string key)
    {
        metadata.Add("x-api-key", key);
        return metadata;
    }
}

/// <summary>The same service with its records in PostgreSQL (a real server from Debian's package, started for the run).</summary>
public sealed class PostgresRecordsServiceFixture : RecordsServiceFixture
{
    private readonly SmpVision.Records.Tests.PostgresServer _server = new();

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings =>
        [new("SmpVision:Records:PostgresConnectionString", _server.SharedDatabase)];

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _server.Dispose();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresRecordsServiceCollection : ICollectionFixture<PostgresRecordsServiceFixture>
{
    public const string Name = "records-service-postgres";
}

[CollectionDefinition(Name)]
public sealed class RecordsServiceCollection : ICollectionFixture<RecordsServiceFixture>
{
    public const string Name = "records-service";
}
