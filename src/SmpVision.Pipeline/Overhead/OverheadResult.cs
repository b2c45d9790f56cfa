using OpenCvSharp;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Overhead;

/// <summary>One coarse zone of a top-down view.</summary>
/// <param name="Zone">Frontal, MidScalp or Vertex.</param>
/// <param name="Outline">Outline of the zone's scalp, in full-image pixels (largest part).</param>
/// <param name="AreaFractionOfScalp">Share of the scalp pixels that fall in this zone.</param>
/// <param name="BaldFraction">Hairless share of this zone's scalp pixels.</param>
/// <param name="ThinningFraction">Thinning share of this zone's scalp pixels.</param>
public sealed record OverheadZone(ScalpZone Zone, PolygonPixels Outline, double AreaFractionOfScalp, double BaldFraction, double ThinningFraction);

/// <summary>
/// What <see cref="OverheadAnalysis.Run(Imaging.ScalpImage, OverheadOptions, OverheadRequest, CancellationToken)"/> measured on one whole-head photo. Fractions are of
/// projected scalp pixels (a photo flattens a dome, so they are apparent, not surface, fractions).
/// Owns the label and mask Mats: dispose it.
/// </summary>
public sealed class OverheadResult : IDisposable
{
    internal OverheadResult(Mat labels, Mat headMask, Mat scalpMask)
    {
        Labels = labels;
        HeadMask = headMask;
        ScalpMask = scalpMask;
    }

    /// <summary>Full-resolution 8UC1 label map; pixel values are <see cref="RegionClass"/> (HairBearing, Thinning, Hairless, OffScalp).</summary>
    internal Mat Labels { get; }

    /// <summary>Full-resolution 8UC1 mask, 255 on the head (hair, scalp and any face skin the view shows).</summary>
    internal Mat HeadMask { get; }

    /// <summary>Full-resolution 8UC1 mask, 255 on the scalp that was classified (head minus the marker).</summary>
    internal Mat ScalpMask { get; }

    /// <summary>Hairless share of the scalp pixels, 0-1.</summary>
    public double BaldFractionOfScalp { get; init; }

    /// <summary>Hair-bearing share of the scalp pixels, 0-1.</summary>
    public double HairBearingFraction { get; init; }

    /// <summary>Thinning share of the scalp pixels, 0-1.</summary>
    public double ThinningFraction { get; init; }

    /// <summary>Mean hair-pixel coverage over the scalp, 0-1: a continuous, threshold-free companion to the class fractions.</summary>
    public double MeanHairCoverage { get; init; }

    /// <summary>Head share of the frame, 0-1.</summary>
    public double HeadFractionOfFrame { get; init; }

    /// <summary>Scale from the printed marker; null when none was found (then no mm values exist).</summary>
    public Scale? Scale { get; init; }

    /// <summary>Projected scalp area in cm2 at the marker's distance; null without a marker scale.</summary>
    public double? ScalpAreaSquareCentimetres { get; init; }

    /// <summary>Projected hairless area in cm2 at the marker's distance; null without a marker scale.</summary>
    public double? BaldAreaSquareCentimetres { get; init; }

    /// <summary>Median CIELAB colour of the bare-scalp reference pixels; null when the photo shows no bare scalp.</summary>
    public LabColour? BareScalpColour { get; init; }

    /// <summary>
    /// Median CIELAB of the bald-scalp skin (hairless class, hair pixels, face and background out):
    /// the response's one skin colour, for the colour measurement and the pigment rule; null when
    /// nothing is hairless.
    /// </summary>
    public LabColour? BaldScalpSkinColour { get; init; }

    /// <summary>The view analysed.</summary>
    public OverheadView View { get; init; }

    /// <summary>True when the view was detected, false when the request gave it.</summary>
    public bool ViewDetected { get; init; }

    /// <summary>Which way the face points (top views).</summary>
    public FrontDirection Front { get; init; }

    /// <summary>True when the face direction was detected, false when given (or assumed).</summary>
    public bool FrontDetected { get; init; }

    /// <summary>Confidence of the detected orientation, 0-1 (1 when given).</summary>
    public double OrientationConfidence { get; init; }

    /// <summary>Share of the frame found to be face and taken out of the scalp.</summary>
    public double FaceFractionOfFrame { get; init; }

    /// <summary>Outline(s) of where the plan may place dots: the clinician's treatment areas, else the scalp.</summary>
    public IReadOnlyList<PolygonPixels> TreatmentBoundary { get; init; } = [];

    /// <summary>Median CIELAB colour of the hair pixels; null when the photo shows no hair.</summary>
    public LabColour? HairColour { get; init; }

    /// <summary>
    /// Front edge of the hair-bearing scalp where bald scalp lies in front of it, as an open
    /// polyline (vertices in order across the head, full-image pixels); null when the hair reaches
    /// the front edge of the head everywhere or too few points were found.
    /// </summary>
    public PolygonPixels? HairlineContour { get; init; }

    /// <summary>Frontal, mid-scalp and vertex zones (top-down views only; empty otherwise).</summary>
    public IReadOnlyList<OverheadZone> Zones { get; init; } = [];

    /// <summary>Quality flags and caveats.</summary>
    public IReadOnlyList<PipelineWarning> Warnings { get; init; } = [];

    /// <summary>Wall time per stage.</summary>
    public IReadOnlyList<StageTiming> Timings { get; init; } = [];

    /// <inheritdoc />
    public void Dispose()
    {
        Labels.Dispose();
        HeadMask.Dispose();
        ScalpMask.Dispose();
    }
}
