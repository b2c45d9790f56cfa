using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Measurement.Colour;
using SmpVision.Pipeline.ModalityDetection;
using SmpVision.Pipeline.Model;
using SmpVision.Pipeline.Overhead;
using SmpVision.Pipeline.Planning;
using SmpVision.Pipeline.Regions;
using SmpVision.Pipeline.Segmentation;

namespace SmpVision.Pipeline.Analysis;

/// <summary>Image quality, common to both modalities.</summary>
/// <param name="Confidence">Overall confidence in the measurements, 0-1.</param>
/// <param name="FocusScore">Sharpness score (trichoscopy: normalised Laplacian variance); null when not measured.</param>
/// <param name="ClippedFraction">Analysed pixels clipped dark or bright; null when not measured.</param>
/// <param name="GlareFraction">Analysed pixels that are specular glare; null when not measured.</param>
/// <param name="AnalysableFraction">Share of the frame that is analysable scalp.</param>
/// <param name="Flags">Codes of the quality problems found.</param>
public sealed record QualitySummary(double Confidence, double? FocusScore, double? ClippedFraction, double? GlareFraction, double AnalysableFraction, IReadOnlyList<string> Flags);

/// <summary>Overhead (whole-head) measurements; fractions unless a marker gave a scale.</summary>
/// <param name="BaldFractionOfScalp">Share of the visible scalp that is hairless.</param>
/// <param name="ThinningFractionOfScalp">Share of the visible scalp that is thinning.</param>
/// <param name="HairBearingFractionOfScalp">Share of the visible scalp that is hair-bearing.</param>
/// <param name="HeadFractionOfFrame">Share of the frame that is head.</param>
/// <param name="ScalpAreaSquareCentimetres">Visible scalp area; null without a marker scale.</param>
/// <param name="BaldAreaSquareCentimetres">Bald area; null without a marker scale.</param>
/// <param name="Hairline">Hairline contour (frontal views), or null.</param>
/// <param name="Zones">Coarse zones (frontal, mid-scalp, vertex) on top-down views.</param>
public sealed record OverheadSummary(
    double BaldFractionOfScalp,
    double ThinningFractionOfScalp,
    double HairBearingFractionOfScalp,
    double HeadFractionOfFrame,
    double? ScalpAreaSquareCentimetres,
    double? BaldAreaSquareCentimetres,
    PolygonPixels? Hairline,
    IReadOnlyList<OverheadZone> Zones)
{
    /// <summary>View analysed (given or detected).</summary>
    public OverheadView View { get; init; }

    /// <summary>True when the view was detected.</summary>
    public bool ViewDetected { get; init; }

    /// <summary>Which way the face points (top views).</summary>
    public FrontDirection Front { get; init; }

    /// <summary>True when the face direction was detected (false: given or assumed).</summary>
    public bool FrontDetected { get; init; }

    /// <summary>Orientation confidence, 0-1.</summary>
    public double OrientationConfidence { get; init; }

    /// <summary>Share of the frame found to be face and excluded.</summary>
    public double FaceFractionOfFrame { get; init; }

    /// <summary>Median CIELAB of the bald-scalp skin: the response's one skin colour.</summary>
    public LabColour? BaldScalpSkinColour { get; init; }

    /// <summary>Where the plan may place dots (clinician's treatment areas, else the scalp outline).</summary>
    public IReadOnlyList<PolygonPixels> TreatmentBoundary { get; init; } = [];
}

/// <summary>Everything one analysis found, as plain values (no native memory).</summary>
public sealed record ScalpAnalysisResult
{
    /// <summary>The decoded image's provenance.</summary>
    public required ImageInfo Image { get; init; }

    /// <summary>Modality analysed.</summary>
    public required Modality Modality { get; init; }

    /// <summary>The detector's decision when the modality was detected; null when the request gave it.</summary>
    public ModalityDecision? ModalityDecision { get; init; }

    /// <summary>Scale used, or null (then no physical unit is reported).</summary>
    public Scale? Scale { get; init; }

    /// <summary>Image quality.</summary>
    public required QualitySummary Quality { get; init; }

    /// <summary>Trichoscopy: hair and FU counts, densities, widths, coverage; null for overhead photos.</summary>
    public TrichoscopyDensity? Density { get; init; }

    /// <summary>Skin and hair colour (CIELAB D65, ITA, CIEDE2000); null when not measured.</summary>
    public TrichoscopyColour? Colour { get; init; }

    /// <summary>Trichoscopy: whether shafts were read darker or lighter than the skin; null for overhead photos.</summary>
    public HairPolarity? HairPolarity { get; init; }

    /// <summary>
    /// Model identifier: <see cref="ScalpAnalyzer.ModelVersion"/> (classical OpenCV stages), plus "+&lt;model&gt;"
    /// when a learned model took part (the ONNX hair verifier, off by default).
    /// </summary>
    public string ModelVersion { get; init; } = ScalpAnalyzer.ModelVersion;

    /// <summary>Every detected hair (trichoscopy).</summary>
    public IReadOnlyList<HairInstance> Hairs { get; init; } = [];

    /// <summary>Detected follicular units (trichoscopy).</summary>
    public IReadOnlyList<FollicularUnit> FollicularUnits { get; init; } = [];

    /// <summary>Overhead measurements; null for trichoscopy frames.</summary>
    public OverheadSummary? Overhead { get; init; }

    /// <summary>Regions of the region map with their measurements.</summary>
    public IReadOnlyList<ScalpRegion> Regions { get; init; } = [];

    /// <summary>Label map PNG (values are <see cref="RegionClass"/>), when requested.</summary>
    public byte[]? LabelMapPng { get; init; }

    /// <summary>The SMP plan.</summary>
    public SmpPlan? Plan { get; init; }

    /// <summary>Preview PNG of the scalp with the planned dots, when requested.</summary>
    public byte[]? PreviewPng { get; init; }

    /// <summary>Warnings for the caller, from every stage.</summary>
    public IReadOnlyList<PipelineWarning> Warnings { get; init; } = [];

    /// <summary>Per-stage wall times.</summary>
    public IReadOnlyList<StageTiming> Timings { get; init; } = [];
}
