namespace SmpVision.Pipeline.Detection;

/// <summary>Which hair detector a trichoscopy analysis runs (the one seam every measurement consumes).</summary>
public enum HairDetectorKind
{
    /// <summary>The learned ONNX detector (models/hair-detector.onnx): the default.</summary>
    Learned = 0,

    /// <summary>The classical OpenCV segmenter and instance extractor: a frozen fallback, no new passes.</summary>
    Classical = 1,
}

/// <summary>
/// Options of the hair detector (models/README.md is the learned model's card). Validated apart
/// from the detector itself; every default is documented with where it comes from.
/// </summary>
public sealed record HairDetectorOptions
{
    /// <summary>The detector to run. Default <see cref="HairDetectorKind.Learned"/>: it beats the classical path on patient-held-out real frames (models/README.md, Validation).</summary>
    public HairDetectorKind Kind { get; init; } = HairDetectorKind.Learned;

    /// <summary>Path of an ONNX model file honouring the detector contract (models/README.md); null = the model embedded in the assembly.</summary>
    public string? ModelPath { get; init; }

    /// <summary>Hair-centre score threshold; null = the model's own (metadata `smpvision.hair_threshold`, picked on validation patients by the trainer).</summary>
    public double? HairThreshold { get; init; }

    /// <summary>Follicular-unit-centre score threshold; null = the model's own (metadata `smpvision.unit_threshold`).</summary>
    public double? UnitThreshold { get; init; }

    /// <summary>
    /// Lowest frame scale (px/mm) the learned detector runs at; below it the classical path runs and
    /// the response says so. Default 250: the model learned from 70x frames at 361 px/mm (+/-15%
    /// calibration, data README) with a 0.85-1.18 scale jitter; every frame is resized to the
    /// model's 90.25 px/mm, but a much lower optical magnification shows other detail.
    /// </summary>
    public double MinPixelsPerMillimetre { get; init; } = 250;

    /// <summary>Highest frame scale (px/mm) the learned detector runs at. Default 500 (361 px/mm + ~40%), as for the minimum.</summary>
    public double MaxPixelsPerMillimetre { get; init; } = 500;

    /// <summary>
    /// ONNX Runtime intra-op threads of the one process-wide session. Default 1: requests already
    /// run in parallel, one per core (OpenCV threads x ORT threads x requests &lt;= cores).
    /// </summary>
    public int IntraOpThreads { get; init; } = 1;

    /// <summary>Returns the problems with these options; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!Enum.IsDefined(Kind)) errors.Add($"Kind must be Learned or Classical, got {Kind}.");
        if (HairThreshold is { } t && !(t > 0 && t < 1)) errors.Add($"HairThreshold must lie in (0, 1), got {t}.");
        if (UnitThreshold is { } u && !(u > 0 && u < 1)) errors.Add($"UnitThreshold must lie in (0, 1), got {u}.");
        if (!(MinPixelsPerMillimetre > 0 && MaxPixelsPerMillimetre > MinPixelsPerMillimetre))
        {
            errors.Add($"Need 0 < MinPixelsPerMillimetre < MaxPixelsPerMillimetre, got {MinPixelsPerMillimetre} and {MaxPixelsPerMillimetre}.");
        }

        if (IntraOpThreads is < 1 or > 64) errors.Add($"IntraOpThreads must lie in 1-64, got {IntraOpThreads}.");
        if (ModelPath is not null && !File.Exists(ModelPath)) errors.Add($"ModelPath '{ModelPath}' does not exist.");
        return errors;
    }

    /// <summary>Whether the learned detector runs at this frame scale (else the classical fallback).</summary>
    public bool LearnedAppliesAt(double pixelsPerMillimetre) =>
        Kind == HairDetectorKind.Learned && pixelsPerMillimetre >= MinPixelsPerMillimetre && pixelsPerMillimetre <= MaxPixelsPerMillimetre;
}
