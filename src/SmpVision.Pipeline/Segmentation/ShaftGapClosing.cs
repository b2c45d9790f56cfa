using System.Runtime.CompilerServices;
using OpenCvSharp;

namespace SmpVision.Pipeline.Segmentation;

/// <summary>
/// Shared steps of the hollow-shaft fills (<see cref="HairSegmenter"/>'s darkness fill,
/// <see cref="DarkShaftCores"/>, <see cref="PaleShaftCore"/>): a shaft whose core reads as light as
/// the skin keeps only its two rims, and the gap between them is found by closing the mask with a
/// line across it in every direction; the fills then compare a pixel's distance to the background
/// before and after, near each pixel, to tell a filled core from the gap between two shafts.
/// </summary>
internal static class ShaftGapClosing
{
    /// <summary>Line directions tried (every 15 degrees: a shaft's width is crossed within ~4% of square on).</summary>
    internal const int Orientations = 12;

    /// <summary>Odd length in pixels (at least 3) of the closing line for gaps up to <paramref name="maxGapPixels"/>.</summary>
    public static int LineLength(double maxGapPixels) => Math.Max(3, (int)Math.Round(maxGapPixels) | 1);

    /// <summary>Union, into <paramref name="closedAll"/> (8UC1, same size), of closings of <paramref name="mask"/> with a line of <paramref name="length"/> pixels in each direction.</summary>
    public static void CloseAcross(Mat mask, int length, Mat closedAll)
    {
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentNullException.ThrowIfNull(closedAll);
        closedAll.Create(mask.Size(), MatType.CV_8UC1);
        closedAll.SetTo(Scalar.All(0));
        using var closed = new Mat();
        using var line = new Mat(length, length, MatType.CV_8UC1);
        for (int i = 0; i < Orientations; i++)
        {
            DrawLineKernel(line, i);
            Cv2.MorphologyEx(mask, closed, MorphTypes.Close, line);
            Cv2.BitwiseOr(closedAll, closed, closedAll);
        }
    }

    /// <summary>Draws into the square 8UC1 <paramref name="line"/> (odd side) a centred line kernel in direction <paramref name="direction"/> of <see cref="Orientations"/> (every 15 degrees).</summary>
    public static void DrawLineKernel(Mat line, int direction)
    {
        ArgumentNullException.ThrowIfNull(line);
        int centre = line.Rows / 2;
        double a = Math.PI * direction / Orientations;
        int dx = (int)Math.Round(centre * Math.Cos(a)), dy = (int)Math.Round(centre * Math.Sin(a));
        line.SetTo(Scalar.All(0));
        Cv2.Line(line, new Point(centre - dx, centre - dy), new Point(centre + dx, centre + dy), Scalar.All(1), 1, LineTypes.Link8);
    }

    /// <summary>
    /// Into <paramref name="dst"/> (32FC1): the largest distance to the background of
    /// <paramref name="mask"/> within a disc of <paramref name="length"/> pixels of each pixel, i.e.
    /// the half-width of the shaft whose centre line lies that close.
    /// </summary>
    public static void LocalHalfWidth(Mat mask, int length, Mat dst)
    {
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentNullException.ThrowIfNull(dst);
        Cv2.DistanceTransform(mask, dst, DistanceTypes.L2, DistanceTransformMasks.Mask3, (int)MatType.CV_32F);
        using (var reach = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(length, length)))
        {
            Cv2.Dilate(dst, dst, reach);
        }

        if (dst.Type() != MatType.CV_32FC1)
        {
            throw new InvalidOperationException("Distance transform must be 32-bit float.");
        }
    }

    /// <summary>
    /// Fills, in place, the pixels of <paramref name="mask"/> (8UC1, 255 = hair) that the closing
    /// <paramref name="closedAll"/> spans and <paramref name="allowed"/> admits (the core's own test:
    /// dark enough, or neutral), where the shaft filled with these candidates only is at most
    /// <paramref name="maxHalfWidthPixels"/> half-wide near the pixel (<see cref="LocalHalfWidth"/>
    /// with <paramref name="length"/>): a filled core, not the skin between two shafts. Returns the
    /// number of pixels filled.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe int FillNarrowGaps(Mat mask, Mat closedAll, Mat allowed, int length, double maxHalfWidthPixels)
    {
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentNullException.ThrowIfNull(closedAll);
        ArgumentNullException.ThrowIfNull(allowed);
        using var candidate = new Mat();
        Cv2.BitwiseAnd(closedAll, allowed, candidate);
        Cv2.BitwiseOr(candidate, mask, candidate);
        using var dtFilled = new Mat();
        LocalHalfWidth(candidate, length, dtFilled);

        float maxHalfWidth = (float)maxHalfWidthPixels;
        int rows = mask.Rows, cols = mask.Cols, filled = 0;
        for (int y = 0; y < rows; y++)
        {
            byte* pm = MatPixels.Row(mask, y);
            byte* pc = MatPixels.Row(candidate, y);
            float* pd = (float*)dtFilled.Ptr(y);
            for (int x = 0; x < cols; x++)
            {
                if (pm[x] == 0 && pc[x] != 0 && pd[x] <= maxHalfWidth)
                {
                    pm[x] = 255;
                    filled++;
                }
            }
        }

        return filled;
    }
}
