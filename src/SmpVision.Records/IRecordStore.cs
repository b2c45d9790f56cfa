namespace SmpVision.Records;

/// <summary>
/// Patient, visit, capture and comparison records of clinics. Every call is scoped to one clinic:
/// a record of another clinic is reported exactly like a record that does not exist (null), so an
/// id never reveals that it exists elsewhere. Writes are transactional; photos are stored
/// content-addressed and made durable before the row that references them.
/// </summary>
public interface IRecordStore
{
    /// <summary>Which store this is ("sqlite" or "postgresql"), for the start-up log.</summary>
    string Kind { get; }

    /// <summary>Applies pending schema migrations (idempotent; safe with several instances starting at once).</summary>
    Task MigrateAsync(CancellationToken cancellationToken = default);

    /// <summary>Creates a patient; throws <see cref="RecordConflictException"/> when the clinic already has the id.</summary>
    Task<PatientRecord> CreatePatientAsync(string clinicId, string patientId, CancellationToken cancellationToken = default);

    /// <summary>The patient, or null when the clinic has none with this id.</summary>
    Task<PatientRecord?> GetPatientAsync(string clinicId, string patientId, CancellationToken cancellationToken = default);

    /// <summary>The clinic's patients in id order.</summary>
    Task<Page<PatientRecord>> ListPatientsAsync(string clinicId, PageRequest page, CancellationToken cancellationToken = default);

    /// <summary>Deletes the patient and all their visits, captures, comparisons and photo files; null when not found.</summary>
    Task<DeletionSummary?> DeletePatientAsync(string clinicId, string patientId, CancellationToken cancellationToken = default);

    /// <summary>Creates a visit; null when the clinic has no such patient.</summary>
    Task<VisitRecord?> CreateVisitAsync(string clinicId, string patientId, DateOnly visitDate, string note, CancellationToken cancellationToken = default);

    /// <summary>The visit, or null.</summary>
    Task<VisitRecord?> GetVisitAsync(string clinicId, string visitId, CancellationToken cancellationToken = default);

    /// <summary>The patient's visits in creation order; null when the clinic has no such patient.</summary>
    Task<Page<VisitRecord>?> ListVisitsAsync(string clinicId, string patientId, PageRequest page, CancellationToken cancellationToken = default);

    /// <summary>Deletes the visit with its captures, comparisons using them and unreferenced photo files; null when not found.</summary>
    Task<DeletionSummary?> DeleteVisitAsync(string clinicId, string visitId, CancellationToken cancellationToken = default);

    /// <summary>Stores the photo (durably) and then the capture row; null when the clinic has no such visit.</summary>
    Task<CaptureRecord?> CreateCaptureAsync(string clinicId, NewCapture capture, CancellationToken cancellationToken = default);

    /// <summary>The capture, or null.</summary>
    Task<CaptureRecord?> GetCaptureAsync(string clinicId, string captureId, CancellationToken cancellationToken = default);

    /// <summary>The photo of a capture, verified against its SHA-256; throws <see cref="RecordCorruptException"/> when damaged.</summary>
    Task<byte[]> ReadImageAsync(CaptureRecord capture, CancellationToken cancellationToken = default);

    /// <summary>The visit's captures in creation order; null when the clinic has no such visit.</summary>
    Task<Page<CaptureRecord>?> ListCapturesAsync(string clinicId, string visitId, PageRequest page, CancellationToken cancellationToken = default);

    /// <summary>Deletes the capture, the comparisons using it and its photo file when no other capture uses it; null when not found.</summary>
    Task<DeletionSummary?> DeleteCaptureAsync(string clinicId, string captureId, CancellationToken cancellationToken = default);

    /// <summary>Stores a comparison of two captures of one patient of the clinic; null when either capture is not the clinic's.</summary>
    Task<ComparisonRecord?> CreateComparisonAsync(string clinicId, NewComparison comparison, CancellationToken cancellationToken = default);

    /// <summary>The comparison, or null.</summary>
    Task<ComparisonRecord?> GetComparisonAsync(string clinicId, string comparisonId, CancellationToken cancellationToken = default);

    /// <summary>The patient's comparisons in creation order; null when the clinic has no such patient.</summary>
    Task<Page<ComparisonRecord>?> ListComparisonsAsync(string clinicId, string patientId, PageRequest page, CancellationToken cancellationToken = default);

    /// <summary>The patient's captures with visit dates, by visit date then capture; null when no such patient.</summary>
    Task<IReadOnlyList<HistoryRow>?> GetHistoryAsync(string clinicId, string patientId, string? zone, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes photo files no capture references (left by a crash between file and row) and
    /// stale temporary files, when older than <paramref name="minimumAge"/> (younger ones may
    /// belong to a write in progress). Returns the number of files removed.
    /// </summary>
    Task<int> SweepOrphanFilesAsync(TimeSpan minimumAge, CancellationToken cancellationToken = default);
}

/// <summary>API keys of clinics, hashed at rest.</summary>
public interface IApiKeyStore
{
    /// <summary>Creates a key for the clinic; the returned secret is the only copy.</summary>
    Task<CreatedApiKey> CreateApiKeyAsync(string clinicId, string name, CancellationToken cancellationToken = default);

    /// <summary>Keys of one clinic, or of all clinics when <paramref name="clinicId"/> is null.</summary>
    Task<IReadOnlyList<ApiKeyRecord>> ListApiKeysAsync(string? clinicId, CancellationToken cancellationToken = default);

    /// <summary>Revokes a key; false when there is no such key or it was already revoked.</summary>
    Task<bool> RevokeApiKeyAsync(string keyId, CancellationToken cancellationToken = default);

    /// <summary>The key a presented secret belongs to, or null when it is malformed, unknown or revoked.</summary>
    Task<ApiKeyRecord?> AuthenticateAsync(string presentedKey, CancellationToken cancellationToken = default);
}

/// <summary>The audit trail: who accessed which record, when.</summary>
public interface IAuditTrail
{
    /// <summary>Keyed hash of a clinic's patient id for the audit trail (never the id itself).</summary>
    string PatientReference(string clinicId, string patientId);

    /// <summary>Appends one entry.</summary>
    Task AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken = default);

    /// <summary>The clinic's latest entries, newest first.</summary>
    Task<IReadOnlyList<AuditEntry>> ListAuditAsync(string clinicId, int limit, CancellationToken cancellationToken = default);
}
