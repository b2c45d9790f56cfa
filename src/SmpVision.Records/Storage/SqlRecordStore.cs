using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace SmpVision.Records.Storage;

/// <summary>
/// The record store over ADO.NET, shared by SQLite and PostgreSQL: the SQL is their common
/// subset (named @parameters, ON CONFLICT DO NOTHING, LIMIT), the subclasses open connections and
/// supply the few dialect differences. Every query carries the clinic id, so isolation does not
/// depend on callers remembering it.
/// </summary>
public abstract partial class SqlRecordStore : IRecordStore, IApiKeyStore, IAuditTrail, IAsyncDisposable
{
    private const string CaptureColumns =
        "capture_id, clinic_id, patient_id, visit_id, zone, view_kind, modality, device_id, scale_source, pixels_per_mm, " +
        "image_sha256, image_size_bytes, service_version, pipeline_version, model_version, opencv_version, options_json, analysis_json, " +
        "hair_count, fu_count, hairs_per_cm2, hairs_per_cm2_se, fu_per_cm2, fu_per_cm2_se, bald_fraction, created_ms";

    private const string ComparisonColumns =
        "comparison_id, clinic_id, patient_id, before_capture_id, after_capture_id, versions_json, before_versions_json, after_versions_json, reanalysed, reanalysis_note, result_json, created_ms";

    // Serialises photo writes with deletes and sweeps in this process, so a file is never removed
    // between being written and its row committing.
    private readonly SemaphoreSlim _fileLock = new(1, 1);
    private byte[]? _auditKey;

    /// <summary>Creates the store; photos live under <paramref name="imageRoot"/>.</summary>
    protected SqlRecordStore(string imageRoot) => Images = new ContentAddressedImages(imageRoot);

    /// <inheritdoc />
    public abstract string Kind { get; }

    /// <summary>Releases connections (pools) and locks.</summary>
    public async ValueTask DisposeAsync()
    {
        await DisposeCoreAsync().ConfigureAwait(false);
        _fileLock.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what a subclass holds.</summary>
    protected virtual ValueTask DisposeCoreAsync() => ValueTask.CompletedTask;

    internal ContentAddressedImages Images { get; }

    /// <summary>The dialect's auto-increment primary key column definition.</summary>
    protected abstract string IdentityColumn { get; }

    /// <summary>Opens a connection ready for use (pragmas applied).</summary>
    protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Serialises concurrent migrations of several instances (inside the migration transaction).</summary>
    protected abstract Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken);

    /// <summary>
    /// Takes a lock on one photo for the rest of the transaction, across processes; SQLite's
    /// write transaction already excludes every other writer.
    /// </summary>
    protected virtual Task LockImageAsync(DbConnection connection, DbTransaction transaction, string sha256, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Begins a write transaction.</summary>
    protected virtual async Task<DbTransaction> BeginAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await BeginAsync(connection, cancellationToken).ConfigureAwait(false);
        await LockForMigrationAsync(connection, tx, cancellationToken).ConfigureAwait(false);
        await ExecAsync(connection, tx, "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL PRIMARY KEY, description TEXT NOT NULL, applied_ms BIGINT NOT NULL)", cancellationToken).ConfigureAwait(false);
        var current = Convert.ToInt32(await ScalarAsync(connection, tx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        foreach (var migration in Migrations.All.Where(m => m.Version > current))
        {
            foreach (var statement in migration.Statements)
            {
                await ExecAsync(connection, tx, statement.Replace("{id_column}", IdentityColumn, StringComparison.Ordinal), cancellationToken).ConfigureAwait(false);
            }

            await ExecAsync(connection, tx, "INSERT INTO schema_migrations (version, description, applied_ms) VALUES (@v, @d, @t)", cancellationToken,
                ("v", migration.Version), ("d", migration.Description), ("t", NowMs())).ConfigureAwait(false);
        }

        // The audit key: random per installation, so patient references cannot be reversed by hashing guessed ids.
        await ExecAsync(connection, tx, "INSERT INTO installation (name, value) VALUES ('audit_key', @k) ON CONFLICT (name) DO NOTHING", cancellationToken,
            ("k", Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)))).ConfigureAwait(false);
        var key = (string)(await ScalarAsync(connection, tx, "SELECT value FROM installation WHERE name = 'audit_key'", cancellationToken).ConfigureAwait(false))!;
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        _auditKey = Convert.FromHexString(key);
    }

    /// <summary>The schema version applied (for tests and diagnostics).</summary>
    public async Task<int> SchemaVersionAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return Convert.ToInt32(await ScalarAsync(connection, null, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    // ---------------------------------------------------------------- patients

    /// <inheritdoc />
    public async Task<PatientRecord> CreatePatientAsync(string clinicId, string patientId, CancellationToken cancellationToken = default)
    {
        RecordIds.Require(clinicId, "clinic_id");
        RecordIds.Require(patientId, "patient_id");
        var now = NowMs();
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var inserted = await ExecAsync(connection, null, "INSERT INTO patients (clinic_id, patient_id, created_ms) VALUES (@c, @p, @t) ON CONFLICT (clinic_id, patient_id) DO NOTHING",
            cancellationToken, ("c", clinicId), ("p", patientId), ("t", now)).ConfigureAwait(false);
        if (inserted == 0)
        {
            throw new RecordConflictException($"Patient '{patientId}' already exists in this clinic. Use GetPatient, or choose another id.");
        }

        return new PatientRecord(clinicId, patientId, FromMs(now));
    }

    /// <inheritdoc />
    public async Task<PatientRecord?> GetPatientAsync(string clinicId, string patientId, CancellationToken cancellationToken = default)
    {
        RecordIds.Require(patientId, "patient_id");
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await QueryAsync(connection, null, "SELECT clinic_id, patient_id, created_ms FROM patients WHERE clinic_id = @c AND patient_id = @p", ReadPatient,
            cancellationToken, ("c", clinicId), ("p", patientId)).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    /// <inheritdoc />
    public async Task<Page<PatientRecord>> ListPatientsAsync(string clinicId, PageRequest page, CancellationToken cancellationToken = default)
    {
        var after = RecordIds.FromPageToken(page.Token);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await QueryAsync(connection, null, "SELECT clinic_id, patient_id, created_ms FROM patients WHERE clinic_id = @c AND patient_id > @a ORDER BY patient_id LIMIT @n",
            ReadPatient, cancellationToken, ("c", clinicId), ("a", after), ("n", page.EffectiveSize + 1)).ConfigureAwait(false);
        return ToPage(rows, page, p => p.PatientId);
    }

    /// <inheritdoc />
    public async Task<DeletionSummary?> DeletePatientAsync(string clinicId, string patientId, CancellationToken cancellationToken = default)
    {
        RecordIds.Require(patientId, "patient_id");
        const string Scope = "clinic_id = @c AND patient_id = @p";
        return await DeleteAsync(
            "SELECT 1 FROM patients WHERE " + Scope,
            "SELECT DISTINCT image_sha256 FROM captures WHERE " + Scope,
            ["DELETE FROM comparisons WHERE " + Scope, "DELETE FROM captures WHERE " + Scope, "DELETE FROM visits WHERE " + Scope, "DELETE FROM patients WHERE " + Scope],
            [("c", clinicId), ("p", patientId)],
            cancellationToken).ConfigureAwait(false);
    }

    // ---------------------------------------------------------------- visits

    /// <inheritdoc />
    public async Task<VisitRecord?> CreateVisitAsync(string clinicId, string patientId, DateOnly visitDate, string note, CancellationToken cancellationToken = default)
    {
        RecordIds.Require(patientId, "patient_id");
        ArgumentNullException.ThrowIfNull(note);
        if (note.Length > 1000)
        {
            throw new RecordArgumentException("note", "note must be at most 1000 characters.");
        }

        var visit = new VisitRecord(RecordIds.New("vis"), clinicId, patientId, visitDate, note, FromMs(NowMs()));
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        // INSERT ... SELECT: the row is written only when the patient is the clinic's, in one statement.
        var inserted = await ExecAsync(connection, null,
            "INSERT INTO visits (visit_id, clinic_id, patient_id, visit_date, note, created_ms) SELECT @v, clinic_id, patient_id, @d, @n, @t FROM patients WHERE clinic_id = @c AND patient_id = @p",
            cancellationToken, ("v", visit.VisitId), ("d", FormatDate(visitDate)), ("n", note), ("t", visit.CreatedAt.ToUnixTimeMilliseconds()), ("c", clinicId), ("p", patientId)).ConfigureAwait(false);
        return inserted == 0 ? null : visit;
    }

    /// <inheritdoc />
    public async Task<VisitRecord?> GetVisitAsync(string clinicId, string visitId, CancellationToken cancellationToken = default)
    {
        RecordIds.Require(visitId, "visit_id");
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await QueryAsync(connection, null, "SELECT visit_id, clinic_id, patient_id, visit_date, note, created_ms FROM visits WHERE clinic_id = @c AND visit_id = @v",
            ReadVisit, cancellationToken, ("c", clinicId), ("v", visitId)).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    /// <inheritdoc />
    public async Task<Page<VisitRecord>?> ListVisitsAsync(string clinicId, string patientId, PageRequest page, CancellationToken cancellationToken = default)
    {
        var after = RecordIds.FromPageToken(page.Token);
        if (await GetPatientAsync(clinicId, patientId, cancellationToken).ConfigureAwait(false) is null)
        {
            return null;
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await QueryAsync(connection, null,
            "SELECT visit_id, clinic_id, patient_id, visit_date, note, created_ms FROM visits WHERE clinic_id = @c AND patient_id = @p AND visit_id > @a ORDER BY visit_id LIMIT @n",
            ReadVisit, cancellationToken, ("c", clinicId), ("p", patientId), ("a", after), ("n", page.EffectiveSize + 1)).ConfigureAwait(false);
        return ToPage(rows, page, v => v.VisitId);
    }

    /// <inheritdoc />
    public async Task<DeletionSummary?> DeleteVisitAsync(string clinicId, string visitId, CancellationToken cancellationToken = default)
    {
        RecordIds.Require(visitId, "visit_id");
        const string Scope = "clinic_id = @c AND visit_id = @v";
        const string CapturesOfVisit = "SELECT capture_id FROM captures WHERE " + Scope;
        return await DeleteAsync(
            "SELECT 1 FROM visits WHERE " + Scope,
            "SELECT DISTINCT image_sha256 FROM captures WHERE " + Scope,
            [$"DELETE FROM comparisons WHERE clinic_id = @c AND (before_capture_id IN ({CapturesOfVisit}) OR after_capture_id IN ({CapturesOfVisit}))",
             "DELETE FROM captures WHERE " + Scope, "DELETE FROM visits WHERE " + Scope],
            [("c", clinicId), ("v", visitId)],
            cancellationToken).ConfigureAwait(false);
    }

    private static string FormatDate(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static DateOnly ParseDate(string text) => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static PatientRecord ReadPatient(DbDataReader r) => new(r.GetString(0), r.GetString(1), FromMs(r.GetInt64(2)));

    private static VisitRecord ReadVisit(DbDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2), ParseDate(r.GetString(3)), r.GetString(4), FromMs(r.GetInt64(5)));

    private static Page<T> ToPage<T>(List<T> rows, PageRequest page, Func<T, string> key)
    {
        if (rows.Count <= page.EffectiveSize)
        {
            return new Page<T>(rows, null);
        }

        rows.RemoveAt(rows.Count - 1);
        return new Page<T>(rows, RecordIds.PageToken(key(rows[^1])));
    }

    private static string ToJson(AnalysisVersions versions) => JsonSerializer.Serialize(versions);

    private static AnalysisVersions FromJson(string json) => JsonSerializer.Deserialize<AnalysisVersions>(json) ?? new AnalysisVersions("", "", "", "");

    private static string Hex(byte[] key, string text) => Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(text)))[..32];
}
