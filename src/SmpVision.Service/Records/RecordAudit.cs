using SmpVision.Records;
using SmpVision.Service.Security;

namespace SmpVision.Service.Records;

/// <summary>The record the audit entry of a call is about; the call fills in ids it learns (a created record's id).</summary>
internal sealed class AuditTarget(string kind, string recordId, string? patientId)
{
    public string Kind { get; set; } = kind;

    public string RecordId { get; set; } = recordId;

    public string? PatientId { get; set; } = patientId;
}

/// <summary>
/// Writes one audit entry per records call (key id, clinic, verb, record, outcome) to the store's
/// audit table and to the log. The clinic's patient id is written only as a keyed hash; photos
/// and results never reach the audit trail.
/// </summary>
internal sealed partial class RecordAudit(IAuditTrail trail, ILogger<RecordAudit> logger)
{
    public async Task WriteAsync(CallerIdentity caller, string verb, AuditTarget target, string outcome)
    {
        var patientRef = string.IsNullOrEmpty(target.PatientId) ? "" : trail.PatientReference(caller.ClinicId, target.PatientId);
        // A patient's record id is the clinic's patient id: hash it there too.
        var recordId = target.Kind == "patient" ? patientRef : target.RecordId;
        var entry = new AuditEntry(DateTimeOffset.UtcNow, caller.KeyId, caller.ClinicId, verb, target.Kind, recordId, patientRef, outcome);
        LogAccess(logger, entry.KeyId, entry.ClinicId, entry.Verb, entry.RecordKind, entry.RecordId, entry.PatientRef, entry.Outcome);
        try
        {
            // Not the call's token: a cancelled call is still audited.
            await trail.AppendAuditAsync(entry, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // an audit write failure is logged; the call's own outcome stands
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogAuditFailed(logger, entry.Verb, ex);
        }
    }

    [LoggerMessage(EventId = 1800, Level = LogLevel.Information, Message = "audit key={KeyId} clinic={ClinicId} verb={Verb} kind={RecordKind} record={RecordId} patient={PatientRef} outcome={Outcome}")]
    private static partial void LogAccess(ILogger logger, string keyId, string clinicId, string verb, string recordKind, string recordId, string patientRef, string outcome);

    [LoggerMessage(EventId = 1801, Level = LogLevel.Error, Message = "audit entry for {Verb} could not be stored")]
    private static partial void LogAuditFailed(ILogger logger, string verb, Exception exception);
}
