using OpenCvSharp;
using SmpVision.Pipeline.Measurement.Colour;
using SmpVision.Pipeline.Segmentation;

namespace SmpVision.Pipeline.Tests.Measurement;

/// <summary>
/// Skin colour on flaky skin: white scale flakes are lighter than the skin around them, so the
/// one-sided darkness cut keeps them, and a quarter of the samples being flakes pulled the
/// per-channel median towards high L* and low b* (a high ITA). The symmetric outlier trim around
/// the dominant skin colour must remove that pull.
/// </summary>
public sealed class SkinColourFlakeTests
{
    private const int Size = 240;

    [Fact]
    public void Light_flakes_do_not_pull_the_skin_colour()
    {
        using var bgr = FlakySkin(out var expected);
        using var seg = Segmentation();
        var trimmed = ColourMeasurement.Measure(bgr, seg, new ColourOptions()).Skin!.Value;
        var untrimmed = ColourMeasurement.Measure(bgr, seg, new ColourOptions { SkinOutlierDistanceFactor = 0 }).Skin!.Value;

        // Without the trim the flakes move L* by about 0.4 sigma of the skin's texture (~1 unit);
        // one trim round takes most of that away (the skin left after the cut around the pulled
        // median is still slightly lopsided).
        Assert.True(untrimmed.L - expected.L > 0.6, $"untrimmed L* {untrimmed.L:F2} vs {expected.L:F2}");
        Assert.True(Math.Abs(trimmed.L - expected.L) < 0.5 * (untrimmed.L - expected.L), $"trimmed L* {trimmed.L:F2}, untrimmed {untrimmed.L:F2}, skin {expected.L:F2}");
        Assert.InRange(trimmed.L, expected.L - 0.5, expected.L + 0.5);
        Assert.InRange(trimmed.B, expected.B - 0.5, expected.B + 0.5);
        var ita = CieLab.IndividualTypologyAngleDegrees(expected);
        Assert.InRange(CieLab.IndividualTypologyAngleDegrees(trimmed), ita - 1, ita + 1);
    }

    [Fact]
    public void Trim_leaves_clean_skin_alone()
    {
        using var bgr = new Mat(Size, Size, MatType.CV_8UC3, new Scalar(140, 160, 200));
        using var seg = Segmentation();
        var trimmed = ColourMeasurement.Measure(bgr, seg, new ColourOptions()).Skin!.Value;
        var expected = CieLab.FromSrgb(200, 160, 140);
        Assert.Equal(expected.L, trimmed.L, 9);
        Assert.Equal(expected.A, trimmed.A, 9);
        Assert.Equal(expected.B, trimmed.B, 9);
    }

    [Fact]
    public void Options_reject_a_negative_factor() =>
        Assert.NotEmpty(new ColourOptions { SkinOutlierDistanceFactor = -1 }.Validate());

    /// <summary>Skin of one tone with a brightness texture (sd 6 levels), a quarter of it covered
    /// by light, low-chroma flakes; the expected colour is that of the skin tone.</summary>
    private static Mat FlakySkin(out Model.LabColour expected)
    {
        var random = new Random(7);
        var pixels = new Vec3b[Size * Size];
        for (var y = 0; y < Size; y++)
        {
            for (var x = 0; x < Size; x++)
            {
                if (random.NextDouble() < 0.25)
                {
                    pixels[(y * Size) + x] = new Vec3b(222, 224, 230);
                    continue;
                }

                // Box-Muller: a normal brightness offset, the same on every channel.
                var n = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                var d = (int)Math.Round(6 * n);
                pixels[(y * Size) + x] = new Vec3b((byte)Math.Clamp(140 + d, 0, 255), (byte)Math.Clamp(160 + d, 0, 255), (byte)Math.Clamp(200 + d, 0, 255));
            }
        }

        expected = CieLab.FromSrgb(200, 160, 140);
        var bgr = new Mat(Size, Size, MatType.CV_8UC3);
        bgr.SetArray(pixels);
        return bgr;
    }

    private static HairSegmentation Segmentation() => HairlessSegmentation.Of(Size);
}
