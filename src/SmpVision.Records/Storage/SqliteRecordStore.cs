using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace SmpVision.Records.Storage;

/// <summary>
/// The embedded store: one SQLite file <c>records.db</c> under the data directory, in WAL mode with
/// synchronous=FULL (a committed transaction survives a crash or power loss), foreign keys on.
/// </summary>
public sealed class SqliteRecordStore : SqlRecordStore
{
    private readonly string _connectionString;
    private int _walSet;

    /// <summary>Opens (creating when missing) the store under <paramref name="dataDirectory"/>.</summary>
    public SqliteRecordStore(string dataDirectory)
        : base(Path.Combine(dataDirectory, "images"))
    {
        DataDirectory = Path.GetFullPath(dataDirectory);
        Directory.CreateDirectory(DataDirectory);
        DatabasePath = Path.Combine(DataDirectory, "records.db");
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            ForeignKeys = true,
            Pooling = true,
            Mode = SqliteOpenMode.ReadWriteCreate,
            DefaultTimeout = 30,
        }.ToString();
    }

    /// <summary>Folder of the database file and the images.</summary>
    public string DataDirectory { get; }

    /// <summary>The database file.</summary>
    public string DatabasePath { get; }

    /// <inheritdoc />
    public override string Kind => "sqlite";

    /// <inheritdoc />
    protected override string IdentityColumn => "INTEGER PRIMARY KEY AUTOINCREMENT";

    /// <inheritdoc />
    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (Interlocked.Exchange(ref _walSet, 1) == 0)
        {
            // Persistent in the file; must run outside a transaction.
            await ExecAsync(connection, null, "PRAGMA journal_mode=WAL", cancellationToken).ConfigureAwait(false);
        }

        await ExecAsync(connection, null, "PRAGMA synchronous=FULL", cancellationToken).ConfigureAwait(false);
        return connection;
    }

    /// <inheritdoc />
    protected override Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        Task.CompletedTask; // the write transaction (BEGIN IMMEDIATE) already excludes other writers
}
