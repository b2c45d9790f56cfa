using OpenCvSharp;
using SmpVision.Pipeline.Segmentation;

namespace SmpVision.Pipeline.Quality;

/// <summary>Image quality of a trichoscopy frame.</summary>
/// <param name="FocusScore">
/// Variance of the Laplacian of grey (working resolution, 8-bit levels squared) over analysable
/// skin, divided by the mean grey level: scale-free against exposure. Higher is sharper.
/// </param>
/// <param name="ClippedHighFraction">Analysable pixels with any channel at 250 or more.</param>
/// <param name="ClippedLowFraction">Analysable pixels with every channel at 5 or less.</param>
/// <param name="GlareFraction">Analysable pixels that are bright and nearly achromatic (specular glare, oily highlights).</param>
/// <param name="AnalysableAreaFraction">Share of the frame left after overlay and field masking.</param>
/// <param name="Confidence">0-1: product of one ramp per check; 1 when every check passes with margin.</param>
/// <param name="Flags">Codes of the checks that failed (e.g. "low-focus", "glare").</param>
public sealed record TrichoscopyQuality(
    double FocusScore,
    double ClippedHighFraction,
    double ClippedLowFraction,
    double GlareFraction,
    double AnalysableAreaFraction,
    double Confidence,
    IReadOnlyList<string> Flags);

/// <summary>Options of <see cref="FrameQuality"/>. Thresholds are set from the spread over the 300 dev frames (shared/data).</summary>
public sealed record QualityOptions
{
    /// <summary>Focus score below which the frame is flagged "low-focus" (confidence ramps down to 0 at half of it). Default 1.0.</summary>
    public double MinFocusScore { get; init; } = 1.0;

    /// <summary>Clipped fraction (high + low) above which the frame is flagged "exposure-clipped". Default 0.05.</summary>
    public double MaxClippedFraction { get; init; } = 0.05;

    /// <summary>Glare fraction above which the frame is flagged "glare". Default 0.08.</summary>
    public double MaxGlareFraction { get; init; } = 0.08;

    /// <summary>Glare pixel: max channel at least this. Default 235.</summary>
    public int GlareMinValue { get; init; } = 235;

    /// <summary>Glare pixel: channel spread (max-min) at most this. Default 35.</summary>
    public int GlareMaxSpread { get; init; } = 35;

    /// <summary>Analysable fraction below which the frame is flagged "little-scalp". Default 0.5.</summary>
    public double MinAnalysableFraction { get; init; } = 0.5;

    /// <summary>Returns the problems with these options; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MinFocusScore < 0) errors.Add("MinFocusScore must be >= 0.");
        if (MaxClippedFraction is <= 0 or > 1) errors.Add("MaxClippedFraction must be in (0, 1].");
        if (MaxGlareFraction is <= 0 or > 1) errors.Add("MaxGlareFraction must be in (0, 1].");
        if (GlareMinValue is < 1 or > 255) errors.Add("GlareMinValue must be 1-255.");
        if (GlareMaxSpread is < 0 or > 255) errors.Add("GlareMaxSpread must be 0-255.");
        if (MinAnalysableFraction is < 0 or > 1) errors.Add("MinAnalysableFraction must be in [0, 1].");
        return errors;
    }
}

/// <summary>
/// Quality of a trichoscopy frame: focus (normalised variance of the Laplacian), exposure
/// clipping, glare fraction and how much scalp is left after masking; a confidence in [0,1] and
/// flags instead of a silent bad number.
/// </summary>
internal static class FrameQuality
{
    public static TrichoscopyQuality Measure(Mat workBgr, HairSegmentation seg, double analysableFraction, QualityOptions o)
    {
        ArgumentNullException.ThrowIfNull(workBgr);
        ArgumentNullException.ThrowIfNull(seg);
        ArgumentNullException.ThrowIfNull(o);
        // Clipping and glare counts over the analysable pixels, as whole-image operations on the
        // max and min channel (the same integer tests as a per-pixel loop, ~5x cheaper).
        long n = Cv2.CountNonZero(seg.Analysable), hi, lo, glare;
        var ch = Cv2.Split(workBgr);
        try
        {
            using var maxC = new Mat();
            using var minC = new Mat();
            Cv2.Max(ch[0], ch[1], maxC);
            Cv2.Max(maxC, ch[2], maxC);
            Cv2.Min(ch[0], ch[1], minC);
            Cv2.Min(minC, ch[2], minC);
            using var test = new Mat();
            hi = CountInside(maxC, 250, 255, seg.Analysable, test);
            lo = CountInside(maxC, 0, 5, seg.Analysable, test);
            using var spread = new Mat();
            Cv2.Subtract(maxC, minC, spread);
            using var achromatic = new Mat();
            Cv2.InRange(spread, Scalar.All(0), Scalar.All(o.GlareMaxSpread), achromatic);
            Cv2.BitwiseAnd(achromatic, seg.Analysable, achromatic);
            glare = CountInside(maxC, o.GlareMinValue, 255, achromatic, test);
        }
        finally
        {
            foreach (var c in ch)
            {
                c.Dispose();
            }
        }

        double focus = 0;
        using (var lap = new Mat())
        using (var inner = new Mat())
        {
            Cv2.Laplacian(seg.Grey, lap, MatType.CV_32F, 3);
            using (var k = Cv2.GetStructuringElement(MorphShapes.Rect, new Size(5, 5)))
            {
                Cv2.Erode(seg.Analysable, inner, k);
            }

            if (Cv2.CountNonZero(inner) > 100)
            {
                Cv2.MeanStdDev(lap, out _, out var sd, inner);
                var meanGrey = Cv2.Mean(seg.Grey, inner);
                focus = meanGrey.Val0 > 1 ? sd.Val0 * sd.Val0 / meanGrey.Val0 : 0;
            }
        }

        double total = Math.Max(1, n);
        double hiF = hi / total, loF = lo / total, glareF = glare / total;
        var flags = new List<string>();
        double conf = 1;
        if (focus < o.MinFocusScore)
        {
            flags.Add("low-focus");
        }

        conf *= Ramp(focus, 0.5 * o.MinFocusScore, o.MinFocusScore);
        if (hiF + loF > o.MaxClippedFraction)
        {
            flags.Add("exposure-clipped");
        }

        conf *= Ramp(-(hiF + loF), -2 * o.MaxClippedFraction, -o.MaxClippedFraction);
        if (glareF > o.MaxGlareFraction)
        {
            flags.Add("glare");
        }

        conf *= Ramp(-glareF, -2 * o.MaxGlareFraction, -o.MaxGlareFraction);
        if (analysableFraction < o.MinAnalysableFraction)
        {
            flags.Add("little-scalp");
        }

        conf *= Ramp(analysableFraction, 0.5 * o.MinAnalysableFraction, o.MinAnalysableFraction);
        return new TrichoscopyQuality(focus, hiF, loF, glareF, analysableFraction, conf, flags);
    }

    /// <summary>Pixels of <paramref name="values"/> in [low, high] (inclusive) where <paramref name="mask"/> is set.</summary>
    private static long CountInside(Mat values, int low, int high, Mat mask, Mat scratch)
    {
        Cv2.InRange(values, Scalar.All(low), Scalar.All(high), scratch);
        Cv2.BitwiseAnd(scratch, mask, scratch);
        return Cv2.CountNonZero(scratch);
    }

    /// <summary>0 at or below <paramref name="zeroAt"/>, 1 at or above <paramref name="oneAt"/>, linear between.</summary>
    private static double Ramp(double value, double zeroAt, double oneAt)
    {
        if (oneAt <= zeroAt)
        {
            return value >= oneAt ? 1 : 0;
        }

        return Math.Clamp((value - zeroAt) / (oneAt - zeroAt), 0, 1);
    }
}
