using OpenCvSharp;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Measurement.Colour;
using SmpVision.Pipeline.Model;
using SmpVision.Pipeline.Quality;
using SmpVision.Pipeline.Segmentation;

namespace SmpVision.Pipeline.Measurement;

/// <summary>
/// Everything the trichoscopy analysis measured on one frame. Owns two full-resolution masks
/// (native memory): dispose it.
/// </summary>
public sealed class TrichoscopyResult : IDisposable
{
    internal TrichoscopyResult(
        Mat analysableMask,
        Mat hairMask,
        Scale? scale,
        IReadOnlyList<HairInstance> hairs,
        IReadOnlyList<FollicularUnit> units,
        TrichoscopyDensity density,
        TrichoscopyColour colour,
        TrichoscopyQuality quality,
        FieldMaskSummary fieldMask,
        double referenceShaftWidthPixels,
        IReadOnlyList<PipelineWarning> warnings,
        IReadOnlyList<StageTiming> timings)
    {
        AnalysableMask = analysableMask;
        HairMask = hairMask;
        Scale = scale;
        Hairs = hairs;
        FollicularUnits = units;
        Density = density;
        Colour = colour;
        Quality = quality;
        FieldMask = fieldMask;
        ReferenceShaftWidthPixels = referenceShaftWidthPixels;
        Warnings = warnings;
        Timings = timings;
    }

    /// <summary>8UC1 full resolution: 255 = scalp pixel that counts (overlays, rim masked out).</summary>
    internal Mat AnalysableMask { get; }

    /// <summary>8UC1 full resolution: 255 = hair pixel (inside the analysable area).</summary>
    internal Mat HairMask { get; }

    /// <summary>The scale used: the request's, else a detected scale bar, else null (no physical values).</summary>
    public Scale? Scale { get; }

    /// <summary>Every visible hair; <see cref="HairInstance.CountedInDensity"/> marks those counted.</summary>
    public IReadOnlyList<HairInstance> Hairs { get; }

    /// <summary>Follicular units (hairs sharing an opening).</summary>
    public IReadOnlyList<FollicularUnit> FollicularUnits { get; }

    /// <summary>Counts, densities with errors, width classes, coverage.</summary>
    public TrichoscopyDensity Density { get; }

    /// <summary>Skin and hair colour (CIELAB D65, ITA, CIEDE2000); uncalibrated.</summary>
    public TrichoscopyColour Colour { get; }

    /// <summary>Focus, exposure, glare, scalp fraction, confidence and flags.</summary>
    public TrichoscopyQuality Quality { get; }

    /// <summary>What the field mask removed.</summary>
    public FieldMaskSummary FieldMask { get; }

    /// <summary>Single-shaft width used to split touching shafts, in full-resolution pixels.</summary>
    public double ReferenceShaftWidthPixels { get; }

    /// <summary>Things the caller should know (no scale, uncalibrated colour, quality flags...).</summary>
    public IReadOnlyList<PipelineWarning> Warnings { get; }

    /// <summary>Whether the shafts were read as darker or lighter than the skin, or by colour contrast (decided per frame, see <see cref="HairSegmentationOptions.ForcedPolarity"/> and <see cref="HairSegmentationOptions.ChromaMaxDarkEvidence"/>).</summary>
    public HairPolarity HairPolarity { get; init; }

    /// <summary>The hair detector that ran (Detection/): the learned model's name@sha256, or the classical identifier (with "+verifier" when the classical verifier ran).</summary>
    public string Detector { get; init; } = Detection.ClassicalHairDetector.Identifier;

    /// <summary>Shaft evidence of the dark and light polarities that decided <see cref="HairPolarity"/> (diagnostics).</summary>
    internal (double Dark, double Light) PolarityEvidence { get; init; }

    /// <summary>Wall time of each stage.</summary>
    public IReadOnlyList<StageTiming> Timings { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        AnalysableMask.Dispose();
        HairMask.Dispose();
    }
}
