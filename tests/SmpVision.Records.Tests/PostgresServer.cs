using System.Diagnostics;
using Npgsql;

namespace SmpVision.Records.Tests;

/// <summary>
/// A real PostgreSQL server for the tests, from Debian's postgresql package: initdb into a temporary
/// folder, pg_ctl start listening on a unix socket in that folder only (no TCP port), stopped and
/// removed on dispose. PostgreSQL refuses to run as root, so as root the server runs as the
/// package's 'postgres' user (runuser). SMPVISION_TEST_POSTGRES (a connection string) uses an
/// existing server instead. Missing binaries fail the tests: they are never skipped.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private readonly string? _root;
    private int _disposed;
    private readonly string? _bin;
    private readonly bool _asPostgresUser;

    public PostgresServer()
    {
        var external = Environment.GetEnvironmentVariable("SMPVISION_TEST_POSTGRES");
        if (!string.IsNullOrWhiteSpace(external))
        {
            AdminConnectionString = external;
            return;
        }

        _bin = FindBinaries() ?? throw new InvalidOperationException(
            "PostgreSQL server binaries (initdb, pg_ctl) were not found under /usr/lib/postgresql/*/bin. Install Debian's 'postgresql' package (scripts/bootstrap.sh does) or set SMPVISION_TEST_POSTGRES to a connection string.");
        _asPostgresUser = Environment.UserName == "root";
        // As root the server runs as 'postgres', which must reach the folder: /tmp, not a private TMPDIR.
        _root = Path.Combine(_asPostgresUser ? "/tmp" : Path.GetTempPath(), "smpvision-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_root);
        if (_asPostgresUser)
        {
            Run("chown", ["postgres:postgres", _root], asPostgres: false);
        }

        var data = Path.Combine(_root, "data");
        Run(Path.Combine(_bin, "initdb"), ["-D", data, "-U", "smpvision", "--auth=trust", "-E", "UTF8", "--no-sync"], _asPostgresUser);
        Run(Path.Combine(_bin, "pg_ctl"), ["-D", data, "-l", Path.Combine(_root, "server.log"), "-w", "-t", "60",
            "-o", $"-c listen_addresses='' -c unix_socket_directories='{_root}' -p 5432 -c fsync=off -c max_connections=50", "start"], _asPostgresUser);
        AdminConnectionString = $"Host={_root};Port=5432;Username=smpvision;Database=postgres;Pooling=false";
    }

    /// <summary>Connection string of the server's maintenance database.</summary>
    public string AdminConnectionString { get; }

    private string? _shared;

    /// <summary>One database shared by the tests of a run (each test uses its own clinic ids).</summary>
    public string SharedDatabase => _shared ??= CreateDatabase();

    /// <summary>Creates a fresh, empty database and returns its connection string.</summary>
    public string CreateDatabase()
    {
        var name = "t_" + Guid.NewGuid().ToString("N")[..16];
        using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            connection.Open();
            using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            command.ExecuteNonQuery();
        }

        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name, Pooling = true }.ToString();
    }

    public void Dispose()
    {
        // Idempotent: WebApplicationFactory-based fixtures dispose their parts twice (Dispose and DisposeAsync).
        if (_root is null || _bin is null || Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        try
        {
            Run(Path.Combine(_bin, "pg_ctl"), ["-D", Path.Combine(_root, "data"), "-m", "immediate", "-w", "stop"], _asPostgresUser);
        }
        finally
        {
            DeleteTree(_root);
        }
    }

    /// <summary>
    /// Deletes a temporary folder that a stopping server may still be emptying (postgres removes
    /// its lock and socket files while it shuts down, so a recursive delete can meet an entry that
    /// just vanished): retried a few times; a folder already gone is fine.
    /// </summary>
    public static void DeleteTree(string path)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                if (Directory.Exists(path))
                {
                    Directory.Delete(path, recursive: true);
                }

                return;
            }
            catch (Exception ex) when (ex is DirectoryNotFoundException or FileNotFoundException or IOException && attempt < 10)
            {
                Thread.Sleep(100);
            }
        }
    }

    private static string? FindBinaries() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(b => File.Exists(Path.Combine(b, "initdb")) && File.Exists(Path.Combine(b, "pg_ctl")))
                .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;

    private static void Run(string program, string[] arguments, bool asPostgres)
    {
        var start = new ProcessStartInfo(asPostgres ? "runuser" : program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (asPostgres)
        {
            foreach (var a in new[] { "-u", "postgres", "--", program })
            {
                start.ArgumentList.Add(a);
            }
        }

        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{program} did not finish within 120 s.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {stdout.Result} {stderr.Result}");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}
