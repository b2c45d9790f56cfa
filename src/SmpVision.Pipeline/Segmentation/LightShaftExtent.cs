using System.Runtime.CompilerServices;
using OpenCvSharp;

namespace SmpVision.Pipeline.Segmentation;

/// <summary>
/// The full extent of light (grey, white) shafts: the light test keeps the shaft's core (a shaded
/// cylinder is lighter than the skin only towards its middle, darker at its rims), so each light
/// region is replaced by its union with the regions of a second mask (the chroma path's: a neutral
/// shaft is desaturated against skin across its whole width) that overlap it, within a reach of the
/// light region (its rims, not the skin or the neighbouring shafts beyond). Regions of the second
/// mask that touch no light region are not added by <see cref="Extend"/>.
/// Session 12 (grey shafts): on frames whose light shafts are neutral (<see cref="NeutralFraction"/>),
/// light skin attached to a shaft away from its neutral body is trimmed (<see cref="KeepNearNeutral"/>)
/// and straight neutral shafts apart from every light region are added (<see cref="AddLoneNeutralShafts"/>).
/// Measures nothing; it shapes the hair mask that counts and widths (DOMAIN.md, shaft width) are read from.
/// </summary>
internal static class LightShaftExtent
{
    /// <summary>
    /// Fraction of the light mask's pixels that lie in the neutral (chroma) mask: near 1 when the
    /// light shafts are grey or white (neutral on saturated skin), low for blond shafts (saturated)
    /// and for light skin texture. 0 when the light mask is empty.
    /// </summary>
    public static double NeutralFraction(Mat lightMask, Mat neutralMask)
    {
        ArgumentNullException.ThrowIfNull(lightMask);
        ArgumentNullException.ThrowIfNull(neutralMask);
        int light = Cv2.CountNonZero(lightMask);
        if (light == 0)
        {
            return 0;
        }

        using var both = new Mat();
        Cv2.BitwiseAnd(lightMask, neutralMask, both);
        return (double)Cv2.CountNonZero(both) / light;
    }

    /// <summary>
    /// In every 8-connected region of <paramref name="lightMask"/> that overlaps <paramref name="neutralMask"/>,
    /// removes the pixels farther than <paramref name="reachPixels"/> from the neutral mask: on a frame
    /// whose light shafts are neutral, light pixels attached to a shaft but away from its neutral body
    /// are skin (between close shafts the light test's opening reads the skin against the shafts' dark
    /// rims; saturated light flakes on the shaft's side). Regions touching no neutral pixel are moved
    /// whole to <paramref name="apart"/> (8UC1, 255), for the caller's shape test: thin vellus shafts
    /// let the skin's colour through and are not neutral enough to be in the neutral mask, yet are
    /// shafts, while light skin flakes are not neutral either.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void KeepNearNeutral(Mat lightMask, Mat neutralMask, double reachPixels, Mat apart)
    {
        ArgumentNullException.ThrowIfNull(lightMask);
        ArgumentNullException.ThrowIfNull(neutralMask);
        ArgumentNullException.ThrowIfNull(apart);
        apart.Create(lightMask.Rows, lightMask.Cols, MatType.CV_8UC1);
        apart.SetTo(Scalar.All(0));
        using var labels = new Mat();
        int n = Cv2.ConnectedComponents(lightMask, labels, PixelConnectivity.Connectivity8);
        if (n <= 1)
        {
            return;
        }

        var touches = new bool[n];
        int rows = lightMask.Rows, cols = lightMask.Cols;
        for (int y = 0; y < rows; y++)
        {
            byte* pn = MatPixels.Row(neutralMask, y);
            int* pl = MatPixels.RowInt(labels, y);
            for (int x = 0; x < cols; x++)
            {
                if (pn[x] != 0)
                {
                    touches[pl[x]] = true;
                }
            }
        }

        using var near = new Mat();
        int d = (2 * (int)Math.Ceiling(Math.Max(0, reachPixels))) + 1;
        using (var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(d, d)))
        {
            Cv2.Dilate(neutralMask, near, kernel);
        }

        for (int y = 0; y < rows; y++)
        {
            byte* pm = MatPixels.Row(lightMask, y);
            byte* pa = MatPixels.Row(apart, y);
            byte* pn = MatPixels.Row(near, y);
            int* pl = MatPixels.RowInt(labels, y);
            for (int x = 0; x < cols; x++)
            {
                if (pm[x] == 0)
                {
                    continue;
                }

                if (!touches[pl[x]])
                {
                    pa[x] = 255;
                    pm[x] = 0;
                }
                else if (pn[x] == 0)
                {
                    pm[x] = 0;
                }
            }
        }
    }

    /// <summary>
    /// ORs into <paramref name="lightMask"/> every 8-connected region of <paramref name="neutralMask"/>
    /// that touches no light pixel and is shaped like a straight shaft: minimum-area rectangle at least
    /// <paramref name="minLengthPixels"/> long and filled to at least <paramref name="minFill"/>. On a
    /// frame whose light shafts are neutral, a grey shaft on skin of nearly its own lightness (or in
    /// a darker corner of the field) is not lighter than the skin at all, yet as neutral as the rest.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void AddLoneNeutralShafts(Mat lightMask, Mat neutralMask, double minLengthPixels, double minFill, bool crossings = false)
    {
        ArgumentNullException.ThrowIfNull(lightMask);
        ArgumentNullException.ThrowIfNull(neutralMask);
        using var labels = new Mat();
        int n = Cv2.ConnectedComponents(neutralMask, labels, PixelConnectivity.Connectivity8);
        if (n <= 1)
        {
            return;
        }

        var touches = LabelsTouching(labels, n, lightMask);
        int rows = lightMask.Rows, cols = lightMask.Cols;

        using var lone = new Mat(rows, cols, MatType.CV_8UC1, Scalar.All(0));
        for (int y = 0; y < rows; y++)
        {
            byte* po = MatPixels.Row(lone, y);
            int* pl = MatPixels.RowInt(labels, y);
            for (int x = 0; x < cols; x++)
            {
                int l = pl[x];
                if (l > 0 && !touches[l])
                {
                    po[x] = 255;
                }
            }
        }

        Cv2.FindContours(lone, out var contours, out _, RetrievalModes.External, ContourApproximationModes.ApproxSimple);
        var keep = contours.Where(c => ChromaShaftShape.IsStraightLong(c, minLengthPixels, minFill)).ToList();
        if (keep.Count > 0)
        {
            Cv2.DrawContours(lightMask, keep, -1, Scalar.All(255), -1);
        }

        if (!crossings)
        {
            return;
        }

        // Long regions that are not straight as a whole (crossing shafts): their straight runs (tri21).
        using var region = new Mat(rows, cols, MatType.CV_8UC1, Scalar.All(0));
        foreach (var c in contours)
        {
            var rect = Cv2.MinAreaRect(c);
            if (Math.Max(rect.Size.Width, rect.Size.Height) < minLengthPixels || ChromaShaftShape.IsStraightLong(c, minLengthPixels, minFill))
            {
                continue;
            }

            var box = Cv2.BoundingRect(c);
            region.SetTo(Scalar.All(0));
            Cv2.DrawContours(region, [c], -1, Scalar.All(255), -1);
            Cv2.BitwiseAnd(region, lone, region);
            GreyCrossingShafts.AddStraightRuns(region, box, minLengthPixels, minFill, lightMask);
        }
    }

    /// <summary>
    /// ORs into <paramref name="lightMask"/> (8UC1, 255) the pixels of every 8-connected region of
    /// <paramref name="extentMask"/> that overlaps it, where they lie within <paramref name="reachPixels"/>
    /// of the light mask and survive an opening of the union by a <paramref name="smoothPixels"/> disc.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Extend(Mat lightMask, Mat extentMask, double reachPixels, int smoothPixels)
    {
        ArgumentNullException.ThrowIfNull(lightMask);
        ArgumentNullException.ThrowIfNull(extentMask);
        if (reachPixels <= 0)
        {
            return;
        }

        using var labels = new Mat();
        int n = Cv2.ConnectedComponents(extentMask, labels, PixelConnectivity.Connectivity8);
        if (n <= 1)
        {
            return;
        }

        using var near = new Mat();
        int d = (2 * (int)Math.Ceiling(reachPixels)) + 1;
        using (var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(d, d)))
        {
            Cv2.Dilate(lightMask, near, kernel);
        }

        var touches = LabelsTouching(labels, n, lightMask);
        int rows = lightMask.Rows, cols = lightMask.Cols;

        using var extended = new Mat(rows, cols, MatType.CV_8UC1, Scalar.All(0));
        for (int y = 0; y < rows; y++)
        {
            byte* pm = MatPixels.Row(extended, y);
            byte* pn = MatPixels.Row(near, y);
            int* pl = MatPixels.RowInt(labels, y);
            for (int x = 0; x < cols; x++)
            {
                int l = pl[x];
                if (l > 0 && touches[l] && pn[x] != 0)
                {
                    pm[x] = 255;
                }
            }
        }

        // Added pixels stay only where they belong to a body at least smoothPixels wide (the shaft
        // with its rims); specks and ragged texture attached to a shaft's side are narrower.
        Cv2.BitwiseOr(extended, lightMask, extended);
        if (smoothPixels >= 3)
        {
            using var open = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(smoothPixels, smoothPixels));
            Cv2.MorphologyEx(extended, extended, MorphTypes.Open, open);
        }

        Cv2.BitwiseOr(lightMask, extended, lightMask);
    }

    /// <summary>Which of the <paramref name="count"/> labels (8UC1 <paramref name="mask"/> and 32SC1 <paramref name="labels"/>, same size) hold at least one mask pixel.</summary>
    private static unsafe bool[] LabelsTouching(Mat labels, int count, Mat mask)
    {
        var touches = new bool[count];
        int rows = mask.Rows, cols = mask.Cols;
        for (int y = 0; y < rows; y++)
        {
            byte* pm = MatPixels.Row(mask, y);
            int* pl = MatPixels.RowInt(labels, y);
            for (int x = 0; x < cols; x++)
            {
                if (pm[x] != 0)
                {
                    touches[pl[x]] = true;
                }
            }
        }

        return touches;
    }
}
