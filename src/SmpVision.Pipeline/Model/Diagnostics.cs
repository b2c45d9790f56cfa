namespace SmpVision.Pipeline.Model;

/// <summary>Wall time spent in one pipeline stage.</summary>
/// <param name="Stage">Stage name, e.g. "hair-segmentation".</param>
/// <param name="Milliseconds">Elapsed wall time in milliseconds.</param>
public sealed record StageTiming(string Stage, double Milliseconds);

/// <summary>
/// Something the caller should know about a result: a stable machine-readable code
/// (kebab-case, e.g. "no-scale", "low-focus") and a sentence a person can act on.
/// </summary>
public sealed record PipelineWarning(string Code, string Message);
