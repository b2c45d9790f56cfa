namespace SmpVision.Records;

/// <summary>A patient, known by the clinic's own opaque id (no names).</summary>
public sealed record PatientRecord(string ClinicId, string PatientId, DateTimeOffset CreatedAt);

/// <summary>A visit of a patient on a calendar day.</summary>
public sealed record VisitRecord(string VisitId, string ClinicId, string PatientId, DateOnly VisitDate, string Note, DateTimeOffset CreatedAt);

/// <summary>
/// How a capture was taken. Zone, view and modality are the service's enum names (e.g. "Frontal");
/// the library stores them as text and does not interpret them.
/// </summary>
public sealed record CaptureFacts(string Zone, string View, string Modality, string DeviceId, string ScaleSource, double? PixelsPerMillimetre);

/// <summary>Versions of what produced an analysis result.</summary>
public sealed record AnalysisVersions(string Service, string Pipeline, string Model, string OpenCv)
{
    /// <summary>True when pipeline and model are the same (the service version alone does not change results).</summary>
    public bool SameAnalysisAs(AnalysisVersions other) =>
        other is not null && string.Equals(Pipeline, other.Pipeline, StringComparison.Ordinal) && string.Equals(Model, other.Model, StringComparison.Ordinal);
}

/// <summary>
/// The measurements kept as columns for the history query; the full result stays in the capture's
/// analysis document. Densities are present only when the capture had a physical scale.
/// </summary>
public sealed record CaptureMeasurements(
    long HairCount,
    long FollicularUnitCount,
    double? HairsPerSquareCentimetre,
    double? HairsPerSquareCentimetreStandardError,
    double? FollicularUnitsPerSquareCentimetre,
    double? FollicularUnitsPerSquareCentimetreStandardError,
    double? BaldFractionOfScalp);

/// <summary>What a new capture stores. Options and analysis are opaque documents (JSON) written by the service.</summary>
public sealed record NewCapture(
    string VisitId,
    CaptureFacts Facts,
    ReadOnlyMemory<byte> Image,
    AnalysisVersions Versions,
    string OptionsJson,
    string AnalysisJson,
    CaptureMeasurements Measurements);

/// <summary>A stored capture: photo reference (content address), facts, analysis and versions.</summary>
public sealed record CaptureRecord(
    string CaptureId,
    string ClinicId,
    string PatientId,
    string VisitId,
    CaptureFacts Facts,
    string ImageSha256,
    long ImageSizeBytes,
    AnalysisVersions Versions,
    string OptionsJson,
    string AnalysisJson,
    CaptureMeasurements Measurements,
    DateTimeOffset CreatedAt);

/// <summary>What a new comparison stores.</summary>
public sealed record NewComparison(
    string BeforeCaptureId,
    string AfterCaptureId,
    AnalysisVersions Versions,
    AnalysisVersions BeforeCaptureVersions,
    AnalysisVersions AfterCaptureVersions,
    bool Reanalysed,
    string ReanalysisNote,
    string ResultJson);

/// <summary>A stored comparison of two captures of one patient.</summary>
public sealed record ComparisonRecord(
    string ComparisonId,
    string ClinicId,
    string PatientId,
    string BeforeCaptureId,
    string AfterCaptureId,
    AnalysisVersions Versions,
    AnalysisVersions BeforeCaptureVersions,
    AnalysisVersions AfterCaptureVersions,
    bool Reanalysed,
    string ReanalysisNote,
    string ResultJson,
    DateTimeOffset CreatedAt);

/// <summary>One capture of the history query, with its visit's date.</summary>
public sealed record HistoryRow(string VisitId, DateOnly VisitDate, string CaptureId, CaptureFacts Facts, CaptureMeasurements Measurements, AnalysisVersions Versions);

/// <summary>What a delete removed.</summary>
public sealed record DeletionSummary(int Visits, int Captures, int Comparisons, int ImageFiles);

/// <summary>Paging input: at most <see cref="Size"/> items after the position in <see cref="Token"/>.</summary>
public readonly record struct PageRequest(int Size, string? Token)
{
    /// <summary>Default page size.</summary>
    public const int DefaultSize = 50;

    /// <summary>Largest page size.</summary>
    public const int MaxSize = 500;

    /// <summary>Size actually used: 0 means the default, larger than the maximum is clamped.</summary>
    public int EffectiveSize => Size <= 0 ? DefaultSize : Math.Min(Size, MaxSize);
}

/// <summary>One page of items and the token of the next page (null: no more).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextToken);

/// <summary>An API key as stored: never the secret, only its hash (not exposed).</summary>
public sealed record ApiKeyRecord(string KeyId, string ClinicId, string Name, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>A key just created: the full secret is shown once and never stored.</summary>
public sealed record CreatedApiKey(ApiKeyRecord Key, string Secret);

/// <summary>
/// One audit entry: who (key, clinic) did what (verb) to which record, and the outcome. The
/// patient reference is a keyed hash of the clinic's patient id, never the id itself.
/// </summary>
public sealed record AuditEntry(DateTimeOffset At, string KeyId, string ClinicId, string Verb, string RecordKind, string RecordId, string PatientRef, string Outcome);
