using System.Data.Common;
using Npgsql;

namespace SmpVision.Records.Storage;

/// <summary>
/// The PostgreSQL store (Npgsql), used when a connection string is configured. Photos stay
/// content-addressed files under the data directory; with several service instances that
/// directory must be a volume they share.
/// </summary>
public sealed class PostgresRecordStore : SqlRecordStore
{
    // Any constant: instances migrating at once take this transaction-scoped lock in turn.
    private const long MigrationLockId = 0x534d5056_5245_43;
    private readonly NpgsqlDataSource _dataSource;

    /// <summary>Connects with <paramref name="connectionString"/>; photos under <paramref name="dataDirectory"/>/images.</summary>
    public PostgresRecordStore(string connectionString, string dataDirectory)
        : base(Path.Combine(dataDirectory, "images"))
    {
        _dataSource = NpgsqlDataSource.Create(connectionString);
    }

    /// <inheritdoc />
    public override string Kind => "postgresql";

    /// <inheritdoc />
    protected override string IdentityColumn => "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY";

    /// <inheritdoc />
    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    protected override async Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        await ExecAsync(connection, transaction, "SELECT pg_advisory_xact_lock(@id)", cancellationToken, ("id", MigrationLockId)).ConfigureAwait(false);

    /// <inheritdoc />
    protected override async Task LockImageAsync(DbConnection connection, DbTransaction transaction, string sha256, CancellationToken cancellationToken) =>
        await ExecAsync(connection, transaction, "SELECT pg_advisory_xact_lock(@id)", cancellationToken,
            ("id", BitConverter.ToInt64(Convert.FromHexString(sha256.AsSpan(0, 16))))).ConfigureAwait(false);

    /// <inheritdoc />
    protected override async ValueTask DisposeCoreAsync()
    {
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        await base.DisposeCoreAsync().ConfigureAwait(false);
    }
}
