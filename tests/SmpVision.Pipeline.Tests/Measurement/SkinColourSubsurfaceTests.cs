using OpenCvSharp;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Measurement.Colour;
using SmpVision.Pipeline.Model;
using SmpVision.Pipeline.Segmentation;

namespace SmpVision.Pipeline.Tests.Measurement;

/// <summary>
/// Skin colour beside dense hair: the buried part of each shaft shows as a darker streak behind
/// its opening, too faint for the darkness cut; where the streaks cover a large share of the skin
/// they pull the median L* down. Skin behind each detected opening is not sampled.
/// </summary>
public sealed class SkinColourSubsurfaceTests
{
    private const int Size = 240;
    private const double PixelsPerMillimetre = 100;

    [Fact]
    public void Streaks_behind_openings_do_not_darken_the_skin()
    {
        using var bgr = StreakedSkin(out var hairs, out var expected);
        using var seg = Segmentation();
        var kept = ColourMeasurement.Measure(bgr, seg, new ColourOptions(), hairs, PixelsPerMillimetre).Skin!.Value;
        var pulled = ColourMeasurement.Measure(bgr, seg, new ColourOptions { SubsurfaceExclusionMillimetres = 0 }, hairs, PixelsPerMillimetre).Skin!.Value;

        // A third of the skin 8 levels darker moves the median of a 6-level texture by ~0.4 L*.
        Assert.True(expected.L - pulled.L > 0.3, $"without exclusion L* {pulled.L:F2} vs {expected.L:F2}");
        Assert.InRange(kept.L, expected.L - 0.15, expected.L + 0.15);
    }

    [Fact]
    public void Options_reject_a_negative_length() =>
        Assert.NotEmpty(new ColourOptions { SubsurfaceExclusionMillimetres = -1 }.Validate());

    /// <summary>Skin with a 6-level brightness texture; eight hairs pointing right, each with a
    /// streak 8 levels darker and 0.4 mm long behind its opening (to the left).</summary>
    private static Mat StreakedSkin(out List<HairInstance> hairs, out LabColour expected)
    {
        var random = new Random(11);
        var bgr = new Mat(Size, Size, MatType.CV_8UC3);
        using var streaks = new Mat(Size, Size, MatType.CV_8UC1, Scalar.All(0));
        hairs = [];
        for (var k = 0; k < 8; k++)
        {
            var y = 15 + (k * 30);
            var emergence = new PointPixels(100, y);
            hairs.Add(new HairInstance(k, emergence, new PointPixels(200, y), 100, 6, k, false));
            // 0.4 mm behind the opening, as wide as twice the shaft.
            Cv2.Line(streaks, new Point(100, y), new Point(60, y), Scalar.All(255), 12, LineTypes.Link8);
        }

        var pixels = new Vec3b[Size * Size];
        for (var y = 0; y < Size; y++)
        {
            for (var x = 0; x < Size; x++)
            {
                var n = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                var d = (int)Math.Round(6 * n) - (streaks.At<byte>(y, x) != 0 ? 8 : 0);
                pixels[(y * Size) + x] = new Vec3b((byte)Math.Clamp(140 + d, 0, 255), (byte)Math.Clamp(160 + d, 0, 255), (byte)Math.Clamp(200 + d, 0, 255));
            }
        }

        bgr.SetArray(pixels);
        expected = CieLab.FromSrgb(200, 160, 140);
        return bgr;
    }

    private static HairSegmentation Segmentation() => HairlessSegmentation.Of(Size);
}
