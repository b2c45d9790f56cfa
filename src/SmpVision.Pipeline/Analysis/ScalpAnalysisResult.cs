using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Analysis;

/// <summary>Everything one analysis found, as plain values (no native memory).</summary>
public sealed record ScalpAnalysisResult
{
    /// <summary>The decoded image's provenance.</summary>
    public required ImageInfo Image { get; init; }

    /// <summary>Modality analysed.</summary>
    public required Modality Modality { get; init; }

    /// <summary>True when the modality was detected rather than given.</summary>
    public bool ModalityDetected { get; init; }

    /// <summary>Confidence of the modality, 0-1 (1 when given).</summary>
    public double ModalityConfidence { get; init; } = 1;

    /// <summary>Scale used, or null (then no physical unit is reported).</summary>
    public Scale? Scale { get; init; }

    /// <summary>Warnings for the caller.</summary>
    public IReadOnlyList<PipelineWarning> Warnings { get; init; } = [];

    /// <summary>Per-stage wall times.</summary>
    public IReadOnlyList<StageTiming> Timings { get; init; } = [];
}
