using System.Runtime.CompilerServices;
using OpenCvSharp;

namespace SmpVision.Pipeline.Segmentation;

/// <summary>
/// The lighter-than-skin core of pale (blond) shafts on frames read <see cref="HairPolarity.Dark"/>.
/// A shaded cylinder is darker than its colour at its rims and lighter in its middle (plus its
/// specular stripe); a blond shaft (L* ~60, Robbins 2012 colour range in DOMAIN.md) on tan or light
/// skin (ITA 20-55 deg, L* ~56-68, Chardon 1991, DOMAIN.md) is therefore darker than the skin only
/// along its two rims and LIGHTER than the skin in between. The dark test keeps the two rims (~0.2
/// of the width each, often broken), which the extractor reads as two thin hairs or none; the
/// hollow-shaft fill (<see cref="HairSegmentationOptions.HollowShaftMaxGapMicrometres"/>) fills only
/// cores darker than the skin. This step fills the gap between two thin rims where the gap as a
/// whole is lighter than the broad skin level: the rims and core together are the whole shaft.
/// Skin between two separate thin dark shafts is at the skin level on average and stays open.
/// On very light bluish-pink skin the same shaft's core is at the skin's grey level but darker in
/// blue only (b* ~22 against ~0-10): a gap yellower than the skin is filled too (the hue overload).
/// Measures nothing; it widens the hair mask that widths (DOMAIN.md, shaft width) and counts are read from.
/// </summary>
internal static class PaleShaftCore
{

    /// <summary>
    /// ORs into <paramref name="mask"/> (8UC1, 255) the gaps closed by a line closing of at most
    /// <paramref name="maxGapPixels"/> across them (12 orientations) whose rims are thin next to the
    /// filled width (local maximum distance to the background at most <paramref name="maxRimToHalfWidth"/>
    /// of the filled one's, as the hollow-shaft fill) and whose filled width is at most
    /// <paramref name="maxWidthPixels"/>; each connected gap is kept only when its mean relative
    /// lightness in <paramref name="grey"/> against <paramref name="skinLevel"/> (Weber contrast) is
    /// at least <paramref name="minMeanLightness"/>. Returns the number of pixels added.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Fill(Mat mask, Mat grey, Mat skinLevel, Mat analysable, double maxGapPixels, double maxRimToHalfWidth, double maxWidthPixels, double minMeanLightness) =>
        Fill(mask, grey, skinLevel, analysable, maxGapPixels, maxRimToHalfWidth, maxWidthPixels, minMeanLightness, null);

    /// <summary>
    /// As the other overload; with <paramref name="hue"/> (blue, its skin level, red, its skin level),
    /// a gap is also kept when it is yellower than the skin: its mean red contrast minus its mean blue
    /// contrast (each a Weber contrast against that channel's skin level) is at least <c>hue.MinYellowness</c>.
    /// Blur and shading beside a dark rim darken all channels alike, so skin between two separate shafts
    /// reads ~0; a blond core on bluish-pink skin is darker in blue only (b* ~22 against ~0-10).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe int Fill(
        Mat mask, Mat grey, Mat skinLevel, Mat analysable, double maxGapPixels, double maxRimToHalfWidth, double maxWidthPixels, double minMeanLightness,
        (Mat Blue, Mat BlueSkin, Mat Red, Mat RedSkin, double MinYellowness)? hue)
    {
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentNullException.ThrowIfNull(grey);
        ArgumentNullException.ThrowIfNull(skinLevel);
        ArgumentNullException.ThrowIfNull(analysable);
        int len = ShaftGapClosing.LineLength(maxGapPixels);
        using var closedAll = new Mat();
        ShaftGapClosing.CloseAcross(mask, len, closedAll);

        using var dtOriginal = new Mat();
        using var dtClosed = new Mat();
        ShaftGapClosing.LocalHalfWidth(mask, len, dtOriginal);
        ShaftGapClosing.LocalHalfWidth(closedAll, len, dtClosed);

        float ratio = (float)maxRimToHalfWidth;
        float maxHalfWidth = (float)(0.5 * maxWidthPixels);
        int rows = mask.Rows, cols = mask.Cols;
        using var gaps = new Mat(mask.Size(), MatType.CV_8UC1, Scalar.All(0));
        for (int y = 0; y < rows; y++)
        {
            byte* pm = MatPixels.Row(mask, y);
            byte* pc = MatPixels.Row(closedAll, y);
            byte* pa = MatPixels.Row(analysable, y);
            byte* pg = MatPixels.Row(gaps, y);
            float* po = (float*)dtOriginal.Ptr(y);
            float* pd = (float*)dtClosed.Ptr(y);
            for (int x = 0; x < cols; x++)
            {
                if (pm[x] == 0 && pc[x] != 0 && pa[x] != 0 && po[x] <= ratio * pd[x] && pd[x] <= maxHalfWidth)
                {
                    pg[x] = 255;
                }
            }
        }

        using var labels = new Mat();
        int n = Cv2.ConnectedComponents(gaps, labels, PixelConnectivity.Connectivity8, MatType.CV_32S);
        if (n <= 1)
        {
            return 0;
        }

        var sum = new double[n];
        var yellow = new double[n];
        var count = new int[n];
        for (int y = 0; y < rows; y++)
        {
            int* pl = (int*)labels.Ptr(y);
            byte* pg = MatPixels.Row(grey, y);
            byte* ps = MatPixels.Row(skinLevel, y);
            byte* pb = hue is { } hb ? MatPixels.Row(hb.Blue, y) : null;
            byte* pbs = hue is { } hbs ? MatPixels.Row(hbs.BlueSkin, y) : null;
            byte* pr = hue is { } hr ? MatPixels.Row(hr.Red, y) : null;
            byte* prs = hue is { } hrs ? MatPixels.Row(hrs.RedSkin, y) : null;
            for (int x = 0; x < cols; x++)
            {
                int l = pl[x];
                if (l > 0)
                {
                    sum[l] += (pg[x] - ps[x]) / (double)Math.Max(1, (int)ps[x]);
                    if (pb != null)
                    {
                        yellow[l] += ((pr[x] - prs[x]) / (double)Math.Max(1, (int)prs[x])) - ((pb[x] - pbs[x]) / (double)Math.Max(1, (int)pbs[x]));
                    }

                    count[l]++;
                }
            }
        }

        var keep = new bool[n];
        double minYellowness = hue?.MinYellowness ?? double.PositiveInfinity;
        for (int l = 1; l < n; l++)
        {
            keep[l] = count[l] > 0 && (sum[l] / count[l] >= minMeanLightness || yellow[l] / count[l] >= minYellowness);
        }

        int added = 0;
        for (int y = 0; y < rows; y++)
        {
            int* pl = (int*)labels.Ptr(y);
            byte* pm = MatPixels.Row(mask, y);
            for (int x = 0; x < cols; x++)
            {
                if (keep[pl[x]] && pl[x] > 0)
                {
                    pm[x] = 255;
                    added++;
                }
            }
        }

        return added;
    }
}
