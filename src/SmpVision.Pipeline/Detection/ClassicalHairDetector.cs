using OpenCvSharp;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Inference;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Segmentation;

namespace SmpVision.Pipeline.Detection;

/// <summary>
/// The classical detector behind the same seam: OpenCV segmentation (Segmentation/HairSegmenter),
/// instance extraction (Measurement/HairInstanceExtractor) and the optional learned verifier.
/// Frozen: it is the fallback for frames outside the learned model's training range and for
/// callers that select it; it gets no new passes.
/// </summary>
internal static class ClassicalHairDetector
{
    /// <summary>Identifier reported in versions.model when this detector ran.</summary>
    public const string Identifier = "classical-opencv-1";

    public static HairDetection Detect(Mat bgr, Mat analysable, Scale? scale, double sizingPpm, TrichoscopyOptions options, CancellationToken ct)
    {
        var seg = HairSegmenter.Segment(bgr, analysable, sizingPpm, options.HairSegmentation, ct);
        Mat? hairMask = null;
        try
        {
            ct.ThrowIfCancellationRequested();
            var extraction = HairInstanceExtractor.Extract(seg, analysable, scale, sizingPpm, options.HairInstances, ct);
            hairMask = new Mat();
            Cv2.Resize(seg.HairMask, hairMask, new Size(bgr.Cols, bgr.Rows), 0, 0, InterpolationFlags.Linear);
            Cv2.Threshold(hairMask, hairMask, 127, 255, ThresholdTypes.Binary);
            Cv2.BitwiseAnd(hairMask, analysable, hairMask);
            extraction = HairVerifier.Apply(bgr, hairMask, analysable, extraction, sizingPpm, options.HairVerifier, ct);
            string id = HairVerifier.AppliesAt(options.HairVerifier, sizingPpm) ? Identifier + "+" + HairVerifier.ModelIdentifier(options.HairVerifier) : Identifier;
            return new HairDetection(seg, hairMask, extraction, id);
        }
        catch
        {
            seg.Dispose();
            hairMask?.Dispose();
            throw;
        }
    }
}

/// <summary>The seam's dispatch: the learned detector where it applies, else the classical one.</summary>
internal static class HairDetectors
{
    public static HairDetection Detect(Mat bgr, Mat analysable, Scale? scale, double sizingPpm, TrichoscopyOptions options, CancellationToken ct) =>
        options.Detector.LearnedAppliesAt(sizingPpm)
            ? LearnedHairDetector.Detect(bgr, analysable, scale, sizingPpm, options.Detector, options.HairInstances, ct)
            : ClassicalHairDetector.Detect(bgr, analysable, scale, sizingPpm, options, ct);
}
