using System.Runtime.CompilerServices;
using OpenCvSharp;

namespace SmpVision.Pipeline.Segmentation;

/// <summary>
/// The full extent of light (grey, white) shafts: the light test keeps the shaft's core (a shaded
/// cylinder is lighter than the skin only towards its middle, darker at its rims), so each light
/// region is replaced by its union with the regions of a second mask (the chroma path's: a neutral
/// shaft is desaturated against skin across its whole width) that overlap it, within a reach of the
/// light region (its rims, not the skin or the neighbouring shafts beyond). Regions of the second
/// mask that touch no light region are left out: what the light test did not find is not added.
/// Measures nothing; it widens the hair mask that widths (DOMAIN.md, shaft width) are read from.
/// </summary>
internal static class LightShaftExtent
{
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

        var touches = new bool[n];
        int rows = lightMask.Rows, cols = lightMask.Cols;
        for (int y = 0; y < rows; y++)
        {
            byte* pm = MatPixels.Row(lightMask, y);
            int* pl = MatPixels.RowInt(labels, y);
            for (int x = 0; x < cols; x++)
            {
                if (pm[x] != 0)
                {
                    touches[pl[x]] = true;
                }
            }
        }

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
}
