using System.Runtime.CompilerServices;
using OpenCvSharp;

namespace SmpVision.Pipeline.Segmentation;

/// <summary>
/// Dark path of <see cref="HairSegmenter"/>: keeps the skin between clusters of white scale flakes
/// from reading as shaft. The dark test reads each pixel's darkness against a closing (the
/// brightest skin nearby); where flakes cluster (stratum-corneum scale, brightest against dark
/// skin: an additive whitish layer doubles the level of ITA -40 skin) the closing takes the flakes'
/// level, so the plain skin in the gaps between clusters reads dark, as ragged regions the size of
/// those gaps that the extractor then counts as several hairs. A pixel stays a hair candidate only
/// when it is also darker than the flake-free skin level (the same closing after an opening that
/// removes bright specks) by an absolute floor. Its darkness itself is left as the dark test read
/// it: the seeds, floors and half-maximum edges of every frame keep the calibration they were
/// tuned with, while lowering the skin level everywhere would weaken thin shafts and the specular
/// core of black shafts against the terminal shafts that set the frame's peak.
/// </summary>
internal static class DarkShaftSpecks
{
    /// <summary>
    /// Elliptical opening kernel of <see cref="HairSegmentationOptions.DarkSkinSpeckMicrometres"/>
    /// (odd, at least 3 px), or null when the gate is off (that option or
    /// <see cref="HairSegmentationOptions.DarkSpeckFreeMinRelativeDarkness"/> is 0).
    /// </summary>
    internal static Mat? Kernel(double umPerWorkPixel, HairSegmentationOptions o)
    {
        if (o.DarkSkinSpeckMicrometres <= 0 || o.DarkSpeckFreeMinRelativeDarkness <= 0)
        {
            return null;
        }

        int d = Math.Max(3, (int)Math.Round(o.DarkSkinSpeckMicrometres / umPerWorkPixel) | 1);
        return Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(d, d));
    }

    /// <summary>
    /// Adds to <paramref name="sum"/> (32F, 0-255 per channel) the relative darkness of channel
    /// <paramref name="c"/> against its flake-free skin level: <see cref="HairSegmenter.LocalSkinLevel"/>
    /// of the channel opened with <paramref name="speckKernel"/>, never below the pixel. The opening
    /// only lowers bright detail smaller than the kernel, so dark shafts are unchanged in it.
    /// When <paramref name="darkest"/> is given (8UC1), it is raised to this channel's darkness
    /// where lower: the darkest channel's flake-free darkness (see <see cref="DarkShaftCores"/>).
    /// </summary>
    internal static void AccumulateSpeckFreeDarkness(Mat c, Mat speckKernel, Mat closeKernel, int k, Mat sum, Mat? darkest = null)
    {
        using var opened = new Mat();
        using var bg = new Mat();
        using var rel = new Mat(c.Rows, c.Cols, MatType.CV_8UC1);
        Cv2.MorphologyEx(c, opened, MorphTypes.Open, speckKernel);
        HairSegmenter.LocalSkinLevel(opened, closeKernel, k, bg);
        Cv2.Max(bg, c, bg);
        HairSegmenter.RelativeDarkness(c, bg, rel, 0);
        using var everywhere = new Mat();
        Cv2.Accumulate(rel, sum, everywhere);
        if (darkest is not null)
        {
            Cv2.Max(darkest, rel, darkest);
        }
    }

    /// <summary>
    /// Sets <paramref name="rel"/> to 0 where the mean flake-free darkness over
    /// <paramref name="channels"/> channels (<paramref name="sum"/>) is below <paramref name="minDarkness"/> (0-1).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void Gate(Mat rel, Mat sum, int channels, double minDarkness)
    {
        if (sum.Type() != MatType.CV_32FC1)
        {
            throw new InvalidOperationException("Speck-free darkness sum must be 32-bit float.");
        }

        float cut = (float)(255 * minDarkness * channels);
        int rows = rel.Rows, cols = rel.Cols;
        for (int y = 0; y < rows; y++)
        {
            byte* pr = MatPixels.Row(rel, y);
            float* ps = (float*)sum.Ptr(y);
            for (int x = 0; x < cols; x++)
            {
                if (ps[x] < cut)
                {
                    pr[x] = 0;
                }
            }
        }
    }
}
