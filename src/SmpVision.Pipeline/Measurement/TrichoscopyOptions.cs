using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Detection;
using SmpVision.Pipeline.Inference;
using SmpVision.Pipeline.Measurement.Colour;
using SmpVision.Pipeline.Quality;
using SmpVision.Pipeline.Segmentation;

namespace SmpVision.Pipeline.Measurement;

/// <summary>All options of the trichoscopy analysis, one record per stage; every default documented there.</summary>
public sealed record TrichoscopyOptions
{
    /// <summary>Overlay and field masking.</summary>
    public FieldMaskOptions FieldMask { get; init; } = new();

    /// <summary>Printed scale-bar detection (used when the request carries no scale).</summary>
    public ScaleBarOptions ScaleBar { get; init; } = new();

    /// <summary>Which hair detector runs (learned by default) and the learned model's settings.</summary>
    public HairDetectorOptions Detector { get; init; } = new();

    /// <summary>Hair segmentation (classical detector).</summary>
    public HairSegmentationOptions HairSegmentation { get; init; } = new();

    /// <summary>Hair instances and follicular units.</summary>
    public HairInstanceOptions HairInstances { get; init; } = new();

    /// <summary>Learned hair-candidate verifier (models/README.md); off by default.</summary>
    public HairVerifierOptions HairVerifier { get; init; } = new();

    /// <summary>Skin and hair colour.</summary>
    public ColourOptions Colour { get; init; } = new();

    /// <summary>Frame quality.</summary>
    public QualityOptions Quality { get; init; } = new();

    /// <summary>Detect a printed scale bar when no scale is requested. Default true.</summary>
    public bool DetectScaleBar { get; init; } = true;

    /// <summary>Returns the problems with these options, prefixed by stage; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        errors.AddRange(FieldMask.Validate().Select(e => "FieldMask." + e));
        errors.AddRange(ScaleBar.Validate().Select(e => "ScaleBar." + e));
        errors.AddRange(Detector.Validate().Select(e => "Detector." + e));
        errors.AddRange(HairSegmentation.Validate().Select(e => "HairSegmentation." + e));
        errors.AddRange(HairInstances.Validate().Select(e => "HairInstances." + e));
        errors.AddRange(HairVerifier.Validate().Select(e => "HairVerifier." + e));
        errors.AddRange(Colour.Validate().Select(e => "Colour." + e));
        errors.AddRange(Quality.Validate().Select(e => "Quality." + e));
        return errors;
    }
}
