using System.Diagnostics;
using OpenCvSharp;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.Detection;
using SmpVision.Pipeline.Measurement.Colour;
using SmpVision.Pipeline.Model;
using SmpVision.Pipeline.Quality;
using SmpVision.Pipeline.Segmentation;

namespace SmpVision.Pipeline.Measurement;

/// <summary>
/// The trichoscopy analysis of one frame: field masking, scale (request, else printed scale bar,
/// else none), hair segmentation, hair instances and follicular units, density, colour, quality.
/// Each stage is a pure step; this class only sequences them, times them and collects warnings.
/// </summary>
internal static class TrichoscopyAnalysis
{
    public static TrichoscopyResult Run(ScalpImage image, Scale? requestScale, TrichoscopyOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid trichoscopy options: " + string.Join(" ", errors), nameof(options));
        }

        if (requestScale is not null && !(requestScale.PixelsPerMillimetre > 0))
        {
            throw new ArgumentException("Scale must be positive.", nameof(requestScale));
        }

        var timings = new List<StageTiming>();
        var warnings = new List<PipelineWarning>();
        var sw = Stopwatch.StartNew();
        Mat bgr = image.Bgr;
        long framePixels = (long)bgr.Rows * bgr.Cols;

        ct.ThrowIfCancellationRequested();
        using var field = FieldMasker.Compute(bgr, options.FieldMask, ct);
        Lap(timings, sw, "field-mask");

        ct.ThrowIfCancellationRequested();
        Scale? scale = requestScale;
        if (scale is null && options.DetectScaleBar)
        {
            scale = ScaleBarDetector.Detect(field.HorizontalLines, field.VerticalLines, field.FlatBoxes, options.ScaleBar);
            if (scale is not null)
            {
                warnings.Add(new PipelineWarning("scale-from-bar", $"Scale read off the printed scale bar: {scale.PixelsPerMillimetre:F0} px/mm, +/-{scale.RelativeUncertainty:P0}."));
            }
        }

        if (scale is null)
        {
            warnings.Add(new PipelineWarning("no-scale", "No scale given or found: densities, areas and widths in micrometres are not reported; counts and fractions are."));
        }

        Lap(timings, sw, "scale");

        ct.ThrowIfCancellationRequested();
        double sizingPpm = scale?.PixelsPerMillimetre ?? options.HairSegmentation.NominalPixelsPerMillimetre;
        // The one detector seam (Detection/): every measurement below reads its hairs, units and masks.
        using var detection = HairDetectors.Detect(bgr, field.AnalysableMask, scale, sizingPpm, options, ct);
        var extraction = detection.Extraction;
        var seg = detection.Working;
        var hairMask = detection.HairMask.Clone();
        if (options.Detector.Kind == HairDetectorKind.Learned && !detection.Learned)
        {
            warnings.Add(new PipelineWarning("detector-fallback", $"The frame's scale ({sizingPpm:F0} px/mm) lies outside the learned detector's training range ({options.Detector.MinPixelsPerMillimetre:F0}-{options.Detector.MaxPixelsPerMillimetre:F0} px/mm): the classical detector counted its hairs."));
        }

        if (!detection.Learned && !extraction.ReferenceWidthMeasured && extraction.Hairs.Count > 0)
        {
            warnings.Add(new PipelineWarning("default-shaft-width", "Too few clean single shafts to measure the frame's own shaft width; touching shafts were split with the default width."));
        }

        Lap(timings, sw, "hair-detection");

        ct.ThrowIfCancellationRequested();
        var density = DensityEstimator.Estimate(
            extraction.Hairs,
            extraction.FollicularUnits,
            field.Summary.AnalysablePixels,
            framePixels,
            Cv2.CountNonZero(hairMask),
            scale);
        Lap(timings, sw, "density");

        ct.ThrowIfCancellationRequested();
        // The segmentation's own working image: the same area-averaged pixels, not resized twice.
        var work = seg.WorkingBgr;
        var colour = ColourMeasurement.Measure(work, seg, options.Colour, extraction.Hairs, sizingPpm);
        Lap(timings, sw, "colour");

        ct.ThrowIfCancellationRequested();
        var quality = FrameQuality.Measure(work, seg, density.AnalysableAreaFraction, options.Quality);
        foreach (var flag in quality.Flags)
        {
            warnings.Add(new PipelineWarning(flag, QualityMessage(flag)));
        }

        Lap(timings, sw, "quality");

        var analysable = field.AnalysableMask.Clone();
        return new TrichoscopyResult(
            analysable,
            hairMask,
            scale,
            extraction.Hairs,
            extraction.FollicularUnits,
            density,
            colour,
            quality,
            field.Summary,
            extraction.ReferenceShaftWidthPixels,
            warnings,
            timings)
        {
            HairPolarity = seg.ChromaUsed ? HairPolarity.Colour : seg.Polarity,
            Detector = detection.Detector,
            PolarityEvidence = (seg.DarkEvidence, seg.LightEvidence),
        };
    }

    private static string QualityMessage(string flag) => flag switch
    {
        "low-focus" => "The frame is soft: thin hairs may be missed and widths read wide.",
        "exposure-clipped" => "Part of the frame is clipped black or white: hairs there cannot be seen.",
        "glare" => "Glare or oily highlights cover part of the frame.",
        "little-scalp" => "Overlays or the dermoscope rim leave little scalp to analyse.",
        _ => flag,
    };

    private static void Lap(List<StageTiming> timings, Stopwatch sw, string stage)
    {
        timings.Add(new StageTiming(stage, sw.Elapsed.TotalMilliseconds));
        sw.Restart();
    }
}
