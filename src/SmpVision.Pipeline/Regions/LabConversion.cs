using System.Runtime.CompilerServices;
using OpenCvSharp;
using SmpVision.Pipeline.Measurement.Colour;
using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Regions;

/// <summary>
/// CIELAB (D65) conversion of sRGB pixels. OpenCV's float conversion is used so that L* is
/// 0-100 and a*, b* are signed, as docs/DOMAIN-SOURCES.md (Colour and skin tone) asks.
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

    /// <summary>Most pixels one colour statistic converts: every k-th masked pixel in raster
    /// order beyond it. A 20k-pixel sample puts the sampling error of a mean or median far under
    /// the ~2-3 CIE76 units of skin-tone variation in one frame (RegionOptions.ScarMinColourDifference).</summary>
    private const int MaxSamples = 20000;

    /// <summary>Mean Lab over the mask (8UC1, non-zero = include) of the 8-bit BGR image, from a
    /// subsample of at most ~20k pixels converted on their own (no full-frame Lab image: the float
    /// conversion of a 1280x1024 frame cost ~30 ms); null when the mask is empty.</summary>
    internal static LabColour? SampledMean(Mat bgr, Mat mask, FramePixelSampler? frame = null)
    {
        var lab = SampleLab(bgr, mask, frame, out var n);
        if (lab is null)
        {
            return null;
        }

        double l = 0, a = 0, b = 0;
        for (var i = 0; i < n; i++)
        {
            l += lab[3 * i];
            a += lab[(3 * i) + 1];
            b += lab[(3 * i) + 2];
        }

        return new LabColour(l / n, a / n, b / n);
    }

    /// <summary>Per-channel median Lab over the mask of the 8-bit BGR image, from the same
    /// subsample as <see cref="SampledMean"/>; null when the mask is empty.</summary>
    internal static LabColour? SampledMedian(Mat bgr, Mat mask, FramePixelSampler? frame = null)
    {
        var lab = SampleLab(bgr, mask, frame, out var n);
        if (lab is null)
        {
            return null;
        }

        var ls = new float[n];
        var las = new float[n];
        var lbs = new float[n];
        for (var i = 0; i < n; i++)
        {
            ls[i] = lab[3 * i];
            las[i] = lab[(3 * i) + 1];
            lbs[i] = lab[(3 * i) + 2];
        }

        return new LabColour(MedianOf(ls, n), MedianOf(las, n), MedianOf(lbs, n));
    }

    /// <summary>Every k-th masked BGR pixel (raster order, at most ~<see cref="MaxSamples"/>),
    /// converted to float Lab; interleaved L, a, b. Null when the mask is empty. With
    /// <paramref name="frame"/> (a map at a working scale) each sampled pixel is read from the frame.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe float[]? SampleLab(Mat bgr, Mat mask, FramePixelSampler? frame, out int n)
    {
        n = 0;
        var count = Cv2.CountNonZero(mask);
        if (count == 0)
        {
            return null;
        }

        var step = Math.Max(1, count / MaxSamples);
        var capacity = ((count - 1) / step) + 1;
        var samples = new Vec3b[capacity];

        // Zero runs of the mask are skipped whole.
        var seen = 0;
        var next = 0;
        var rows = bgr.Rows;
        var cols = bgr.Cols;
        for (var y = 0; y < rows; y++)
        {
            var m = new ReadOnlySpan<byte>((byte*)mask.Ptr(y), cols);
            var p = (byte*)bgr.Ptr(y);
            var x = 0;
            while (x < cols)
            {
                // Skip a zero run, then take the samples that fall in the masked run after it.
                var start = m[x..].IndexOfAnyExcept((byte)0);
                if (start < 0)
                {
                    break;
                }

                x += start;
                var length = m[x..].IndexOf((byte)0);
                length = length < 0 ? cols - x : length;
                for (var k = next - seen; k < length && n < capacity; k += step)
                {
                    var mean = new Vec3b(p[3 * (x + k)], p[(3 * (x + k)) + 1], p[(3 * (x + k)) + 2]);
                    samples[n] = frame is { } sampler ? sampler.Pick(x + k, y, mean) : mean;
                    n++;
                    next += step;
                }

                seen += length;
                x += length;
            }
        }

        // Block copies in and out of the Mats (SetArray/GetArray cost ~0.2 us per element).
        using var row = new Mat(1, n, MatType.CV_8UC3);
        samples.AsSpan(0, n).CopyTo(new Span<Vec3b>((void*)row.Data, n));
        using var lab = ToLab(row);
        var result = new ReadOnlySpan<float>((void*)lab.Data, 3 * n).ToArray();
        return result;
    }

    private static double MedianOf(float[] v, int n) => OrderStatistics.Select(v.AsSpan(0, n), n / 2);
}
