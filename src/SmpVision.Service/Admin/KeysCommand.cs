using System.Globalization;
using SmpVision.Records;

namespace SmpVision.Service.Admin;

/// <summary>
/// The key administration command of the service, run against the configured record store
/// (same configuration as the service: appsettings, environment, command line):
/// <code>
/// dotnet SmpVision.Service.dll keys create --clinic CLINIC [--name NAME]
/// dotnet SmpVision.Service.dll keys list [--clinic CLINIC]
/// dotnet SmpVision.Service.dll keys revoke KEY_ID
/// </code>
/// The secret is printed once, at creation; only its hash is stored.
/// </summary>
public static class KeysCommand
{
    /// <summary>True when the arguments ask for the keys command.</summary>
    public static bool Matches(string[] args) => args is ["keys", ..];

    /// <summary>Runs the command; returns the process exit code (0 ok, 1 refused, 2 usage).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var verb = args.Length > 1 ? args[1] : "";
        var rest = args.Skip(2).ToArray();
        // The configuration the service itself would see (minus the command's own arguments).
        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(rest.Where(a => a.StartsWith("--SmpVision", StringComparison.Ordinal)).ToArray())
            .Build();
        var options = configuration.GetSection(RecordStoreOptions.Section).Get<RecordStoreOptions>() ?? new RecordStoreOptions();
        await using var sqlStore = options.CreateStore();
        IApiKeyStore store = sqlStore;
        await sqlStore.MigrateAsync().ConfigureAwait(false);
        try
        {
            return verb switch
            {
                "create" => await CreateAsync(store, rest, output, error).ConfigureAwait(false),
                "list" => await ListAsync(store, rest, output).ConfigureAwait(false),
                "revoke" when rest.Length >= 1 && !rest[0].StartsWith("--", StringComparison.Ordinal) => await RevokeAsync(store, rest[0], output, error).ConfigureAwait(false),
                _ => Usage(error),
            };
        }
        catch (RecordArgumentException ex)
        {
            await error.WriteLineAsync(ex.Message.Replace("clinic_id", "--clinic", StringComparison.Ordinal)).ConfigureAwait(false);
            return 1;
        }
    }

    private static async Task<int> CreateAsync(IApiKeyStore store, string[] args, TextWriter output, TextWriter error)
    {
        var clinic = Option(args, "--clinic");
        if (clinic is null)
        {
            return Usage(error);
        }

        var created = await store.CreateApiKeyAsync(clinic, Option(args, "--name") ?? "").ConfigureAwait(false);
        await output.WriteLineAsync($"key id:  {created.Key.KeyId}").ConfigureAwait(false);
        await output.WriteLineAsync($"clinic:  {created.Key.ClinicId}").ConfigureAwait(false);
        await output.WriteLineAsync($"api key: {created.Secret}").ConfigureAwait(false);
        await output.WriteLineAsync("Store the key now: it is shown only once (the service keeps its hash). Send it as 'x-api-key: <key>'.").ConfigureAwait(false);
        return 0;
    }

    private static async Task<int> ListAsync(IApiKeyStore store, string[] args, TextWriter output)
    {
        var keys = await store.ListApiKeysAsync(Option(args, "--clinic")).ConfigureAwait(false);
        await output.WriteLineAsync("key_id\tclinic\tname\tcreated\trevoked").ConfigureAwait(false);
        foreach (var k in keys)
        {
            await output.WriteLineAsync(string.Join('\t', k.KeyId, k.ClinicId, k.Name, k.CreatedAt.ToString("u", CultureInfo.InvariantCulture), k.RevokedAt?.ToString("u", CultureInfo.InvariantCulture) ?? "-")).ConfigureAwait(false);
        }

        return 0;
    }

    private static async Task<int> RevokeAsync(IApiKeyStore store, string keyId, TextWriter output, TextWriter error)
    {
        if (await store.RevokeApiKeyAsync(keyId).ConfigureAwait(false))
        {
            await output.WriteLineAsync($"revoked {keyId}").ConfigureAwait(false);
            return 0;
        }

        await error.WriteLineAsync($"No active key {keyId} (unknown or already revoked); 'keys list' shows the keys.").ConfigureAwait(false);
        return 1;
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static int Usage(TextWriter error)
    {
        error.WriteLine("usage: SmpVision.Service keys create --clinic CLINIC [--name NAME] | keys list [--clinic CLINIC] | keys revoke KEY_ID");
        error.WriteLine("The store is the service's: SmpVision:Records:DataDirectory (SQLite) or SmpVision:Records:PostgresConnectionString.");
        return 2;
    }
}
