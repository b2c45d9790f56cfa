using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Analysis;

/// <summary>How the caller knows the scale: a measured px/mm, or a device profile plus magnification.</summary>
/// <param name="PixelsPerMillimetre">Measured pixels per millimetre, or null.</param>
/// <param name="DeviceId">Configured device profile id, or null.</param>
/// <param name="Magnification">Magnification used with the device; null = the profile's reference.</param>
/// <param name="RelativeUncertainty">1-sigma relative uncertainty of <paramref name="PixelsPerMillimetre"/>; null = default.</param>
public sealed record ScaleRequest(double? PixelsPerMillimetre, string? DeviceId, double? Magnification, double? RelativeUncertainty);

/// <summary>Which outputs to produce beyond the measurements.</summary>
public sealed record OutputRequest(bool LabelMap = false, bool DotLayout = false, bool Preview = false, bool Hairs = false);

/// <summary>What the caller asks of one analysis (plain values; the service maps its messages to this).</summary>
public sealed record AnalysisRequest
{
    /// <summary>Requested modality; <see cref="Modality.Unknown"/> = detect.</summary>
    public Modality Modality { get; init; }

    /// <summary>Scale given by the caller, or null.</summary>
    public ScaleRequest? Scale { get; init; }

    /// <summary>Zone photographed.</summary>
    public ScalpZone Zone { get; init; }

    /// <summary>Clinic's reference FU density (FU/cm2), or null.</summary>
    public double? ReferenceFollicularUnitsPerSquareCentimetre { get; init; }

    /// <summary>Use the clinic's reference even when the patient's own density was measured.</summary>
    public bool ForceReferenceOverride { get; init; }

    /// <summary>Session number, 1-based.</summary>
    public int SessionNumber { get; init; } = 1;

    /// <summary>Cumulative session fractions, or null for the default.</summary>
    public IReadOnlyList<double>? SessionCumulativeFractions { get; init; }

    /// <summary>Hairline feather width in mm, or null for the default.</summary>
    public double? HairlineFeatherWidthMillimetres { get; init; }

    /// <summary>Image border the hairline's leading edge faces, or null when no hairline is in the frame.</summary>
    public ImageEdge? HairlineEdge { get; init; }

    /// <summary>Optional outputs.</summary>
    public OutputRequest Output { get; init; } = new();

    /// <summary>What the clinician drew on the photo (hairline, treatment areas, exclusions, overrides).</summary>
    public ClinicianInput Clinician { get; init; } = new();

    /// <summary>Overhead photos: the view, or null to detect it.</summary>
    public Overhead.OverheadView? OverheadView { get; init; }

    /// <summary>Overhead top views: which way the face points, or null to detect it.</summary>
    public Overhead.FrontDirection? FaceDirection { get; init; }

    /// <summary>Trichoscopy hair detector for this request; null = the configured one (learned by default).</summary>
    public Detection.HairDetectorKind? Detector { get; init; }
}

/// <summary>An image border.</summary>
public enum ImageEdge
{
    Top = 1,
    Bottom = 2,
    Left = 3,
    Right = 4,
}
