using System.Globalization;
using OpenCvSharp;
using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Regions;

/// <summary>Drawing helpers for label maps (legend colours, overlays).</summary>
internal static class RegionDrawing
{
    /// <summary>Legend colour of a class as BGR.</summary>
    internal static Scalar ColourOf(RegionClass c)
    {
        var hex = RegionMap.Legend.First(e => e.Class == c).DisplayColourRgbHex;
        var r = int.Parse(hex.AsSpan(1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        var g = int.Parse(hex.AsSpan(3, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        var b = int.Parse(hex.AsSpan(5, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return new Scalar(b, g, r);
    }

    /// <summary>Colours an 8UC1 label map with the legend colours (BGR 8UC3).</summary>
    internal static Mat ColourLabels(Mat labels)
    {
        using var lut = new Mat(1, 256, MatType.CV_8UC3, Scalar.All(0));
        foreach (var e in RegionMap.Legend)
        {
            var c = ColourOf(e.Class);
            lut.Set(0, e.Value, new Vec3b((byte)c.Val0, (byte)c.Val1, (byte)c.Val2));
        }

        using var labels3 = new Mat();
        Cv2.CvtColor(labels, labels3, ColorConversionCodes.GRAY2BGR);
        var result = new Mat();
        Cv2.LUT(labels3, lut, result);
        return result;
    }

    /// <summary>Blends the legend colours over an image (alpha = weight of the colours) and outlines class borders.</summary>
    internal static Mat Overlay(Mat bgr, Mat labels, double alpha)
    {
        using var colour = ColourLabels(labels);
        var result = new Mat();
        Cv2.AddWeighted(bgr, 1 - alpha, colour, alpha, 0, result);
        return result;
    }
}
