using System.Runtime.CompilerServices;
using OpenCvSharp;
using SmpVision.Pipeline.Measurement.Colour;
using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Regions;

/// <summary>
/// CIELAB (D65) conversion of sRGB pixels. OpenCV's float conversion is used so that L* is
/// 0-100 and a*, b* are signed, as DOMAIN.md (Colour and skin tone) asks.
/// </summary>
internal static class LabConversion
{
    /// <summary>Converts 8-bit BGR to 32-bit float Lab (L* 0-100, a*, b* signed).</summary>
    internal static Mat ToLab(Mat bgr)
    {
        using var f = new Mat();
        bgr.ConvertTo(f, MatType.CV_32FC3, 1.0 / 255.0);
        var lab = new Mat();
        Cv2.CvtColor(f, lab, ColorConversionCodes.BGR2Lab);
        return lab;
    }

    /// <summary>Mean Lab over the mask (8UC1, non-zero = include); null when the mask is empty.</summary>
    internal static LabColour? Mean(Mat lab, Mat mask)
    {
        if (Cv2.CountNonZero(mask) == 0)
        {
            return null;
        }

        var m = Cv2.Mean(lab, mask);
        return new LabColour(m.Val0, m.Val1, m.Val2);
    }

    /// <summary>Per-channel median of Lab over the mask, from a subsample of at most ~20k pixels; null when empty.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe LabColour? Median(Mat lab, Mat mask)
    {
        var count = Cv2.CountNonZero(mask);
        if (count == 0)
        {
            return null;
        }

        var step = Math.Max(1, count / 20000);
        var capacity = ((count - 1) / step) + 1;
        var ls = new float[capacity];
        var las = new float[capacity];
        var lbs = new float[capacity];
        var n = 0;

        // Every step-th masked pixel in raster order; zero runs of the mask are skipped whole.
        var seen = 0;
        var next = 0;
        var rows = lab.Rows;
        var cols = lab.Cols;
        for (var y = 0; y < rows; y++)
        {
            var m = new ReadOnlySpan<byte>((byte*)mask.Ptr(y), cols);
            var p = (float*)lab.Ptr(y);
            var x = m.IndexOfAnyExcept((byte)0);
            while (x >= 0 && x < cols)
            {
                if (m[x] != 0)
                {
                    if (seen == next)
                    {
                        ls[n] = p[3 * x];
                        las[n] = p[(3 * x) + 1];
                        lbs[n] = p[(3 * x) + 2];
                        n++;
                        next += step;
                    }

                    seen++;
                    x++;
                }
                else
                {
                    var skip = m[x..].IndexOfAnyExcept((byte)0);
                    x = skip < 0 ? cols : x + skip;
                }
            }
        }

        return new LabColour(MedianOf(ls, n), MedianOf(las, n), MedianOf(lbs, n));
    }

    private static double MedianOf(float[] v, int n) => OrderStatistics.Select(v.AsSpan(0, n), n / 2);
}
