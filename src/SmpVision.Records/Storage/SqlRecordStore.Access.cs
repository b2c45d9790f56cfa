using System.Data.Common;

namespace SmpVision.Records.Storage;

/// <summary>API keys, the audit trail and the ADO.NET helpers.</summary>
public abstract partial class SqlRecordStore
{
    private const string KeyColumns = "key_id, clinic_id, name, created_ms, revoked_ms";

    /// <inheritdoc />
    public async Task<CreatedApiKey> CreateApiKeyAsync(string clinicId, string name, CancellationToken cancellationToken = default)
    {
        RecordIds.Require(clinicId, "clinic");
        ArgumentNullException.ThrowIfNull(name);
        var (keyId, secret, fullKey) = ApiKeySecrets.Generate();
        var record = new ApiKeyRecord(keyId, clinicId, name, FromMs(NowMs()), null);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await ExecAsync(connection, null, "INSERT INTO api_keys (key_id, clinic_id, name, secret_sha256, created_ms) VALUES (@k, @c, @n, @h, @t)", cancellationToken,
            ("k", keyId), ("c", clinicId), ("n", name), ("h", ApiKeySecrets.HashSecret(secret)), ("t", record.CreatedAt.ToUnixTimeMilliseconds())).ConfigureAwait(false);
        return new CreatedApiKey(record, fullKey);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ApiKeyRecord>> ListApiKeysAsync(string? clinicId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return clinicId is null
            ? await QueryAsync(connection, null, $"SELECT {KeyColumns} FROM api_keys ORDER BY clinic_id, created_ms", ReadKey, cancellationToken).ConfigureAwait(false)
            : await QueryAsync(connection, null, $"SELECT {KeyColumns} FROM api_keys WHERE clinic_id = @c ORDER BY created_ms", ReadKey, cancellationToken, ("c", clinicId)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<bool> RevokeApiKeyAsync(string keyId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ExecAsync(connection, null, "UPDATE api_keys SET revoked_ms = @t WHERE key_id = @k AND revoked_ms IS NULL", cancellationToken, ("t", NowMs()), ("k", keyId)).ConfigureAwait(false) > 0;
    }

    /// <inheritdoc />
    public async Task<ApiKeyRecord?> AuthenticateAsync(string presentedKey, CancellationToken cancellationToken = default)
    {
        if (!ApiKeySecrets.TryParse(presentedKey, out var keyId, out var secret))
        {
            return null;
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await QueryAsync(connection, null, $"SELECT {KeyColumns}, secret_sha256 FROM api_keys WHERE key_id = @k",
            r => (Key: ReadKey(r), Hash: r.GetString(5)), cancellationToken, ("k", keyId)).ConfigureAwait(false);
        if (rows.Count == 0 || !ApiKeySecrets.Matches(secret, rows[0].Hash) || rows[0].Key.RevokedAt is not null)
        {
            return null;
        }

        return rows[0].Key;
    }

    /// <inheritdoc />
    public string PatientReference(string clinicId, string patientId)
    {
        var key = _auditKey ?? throw new InvalidOperationException("MigrateAsync must run before the store is used.");
        return "p:" + Hex(key, clinicId + "\n" + patientId);
    }

    /// <inheritdoc />
    public async Task AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await ExecAsync(connection, null, "INSERT INTO audit_log (at_ms, key_id, clinic_id, verb, record_kind, record_id, patient_ref, outcome) VALUES (@t, @k, @c, @v, @rk, @r, @p, @o)", cancellationToken,
            ("t", entry.At.ToUnixTimeMilliseconds()), ("k", entry.KeyId), ("c", entry.ClinicId), ("v", entry.Verb), ("rk", entry.RecordKind), ("r", entry.RecordId),
            ("p", entry.PatientRef), ("o", entry.Outcome)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<AuditEntry>> ListAuditAsync(string clinicId, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await QueryAsync(connection, null, "SELECT at_ms, key_id, clinic_id, verb, record_kind, record_id, patient_ref, outcome FROM audit_log WHERE clinic_id = @c ORDER BY seq DESC LIMIT @n",
            r => new AuditEntry(FromMs(r.GetInt64(0)), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6), r.GetString(7)),
            cancellationToken, ("c", clinicId), ("n", limit)).ConfigureAwait(false);
    }

    private static ApiKeyRecord ReadKey(DbDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2), FromMs(r.GetInt64(3)), r.IsDBNull(4) ? null : FromMs(r.GetInt64(4)));

    /// <summary>Runs a statement; returns the affected row count.</summary>
    protected static async Task<int> ExecAsync(DbConnection connection, DbTransaction? tx, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, tx, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a query returning one value.</summary>
    protected static async Task<object?> ScalarAsync(DbConnection connection, DbTransaction? tx, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, tx, sql, parameters);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<List<T>> QueryAsync<T>(DbConnection connection, DbTransaction? tx, string sql, Func<DbDataReader, T> read, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, tx, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

#pragma warning disable CA2100 // SQL text is built from constants only; values always travel as parameters.
    private static DbCommand Command(DbConnection connection, DbTransaction? tx, string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        foreach (var (name, value) in parameters)
        {
            if (!sql.Contains("@" + name, StringComparison.Ordinal))
            {
                continue; // optional filters leave some parameters unused
            }

            var p = command.CreateParameter();
            p.ParameterName = name;
            p.Value = value ?? DBNull.Value;
            command.Parameters.Add(p);
        }

        return command;
    }
#pragma warning restore CA2100
}
