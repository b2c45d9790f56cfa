using OpenCvSharp;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Segmentation;

namespace SmpVision.Pipeline.Tests.Measurement;

/// <summary>
/// Emergence of pale shafts (<see cref="HairInstanceOptions.EmergenceFadeTest"/>): a light shaft
/// casts almost no sub-surface shadow, so its opening is the end where its own contrast fades
/// into the skin; the cut tip keeps full contrast to the end.
/// </summary>
public sealed class HairEmergenceFadeTests
{
    private const int Width = 360;
    private const int Height = 160;
    private const int Opening = 60;
    private const int Tip = 300;
    private const int Row = 80;
    private const int HalfWidth = 6;

    /// <summary>
    /// Brown skin, a white shaft 13 px (72 um at 180 px/mm) wide from x=60 to x=300 whose first
    /// 8 px fade in from 40% opacity (it leaves the skin there) and a blunt tip at x=300; a faint
    /// darker smudge beyond the tip, where the sub-surface test would look for the opening.
    /// </summary>
    private static HairSegmentation Frame(HairPolarity polarity)
    {
        var skin = new Vec3b(70, 100, 140);
        var hair = new Vec3b(215, 215, 215);
        var bgr = new Mat(Height, Width, MatType.CV_8UC3, new Scalar(skin.Item0, skin.Item1, skin.Item2));
        var mask = new Mat(Height, Width, MatType.CV_8UC1, Scalar.All(0));
        for (int x = Tip + 2; x < Tip + 20; x++)
        {
            for (int y = Row - HalfWidth; y <= Row + HalfWidth; y++)
            {
                bgr.Set(y, x, new Vec3b(50, 75, 110));
            }
        }

        for (int x = Opening; x <= Tip; x++)
        {
            double alpha = Math.Min(1.0, 0.4 + (0.6 * (x - Opening) / 8.0));
            var c = new Vec3b(
                (byte)Math.Round(skin.Item0 + (alpha * (hair.Item0 - skin.Item0))),
                (byte)Math.Round(skin.Item1 + (alpha * (hair.Item1 - skin.Item1))),
                (byte)Math.Round(skin.Item2 + (alpha * (hair.Item2 - skin.Item2))));
            for (int y = Row - HalfWidth; y <= Row + HalfWidth; y++)
            {
                bgr.Set(y, x, c);
                if (alpha >= 0.5)
                {
                    mask.Set(y, x, (byte)255);
                }
            }
        }

        var grey = new Mat();
        Cv2.CvtColor(bgr, grey, ColorConversionCodes.BGR2GRAY);
        return new HairSegmentation(
            mask,
            new Mat(Height, Width, MatType.CV_8UC1, Scalar.All(0)),
            grey,
            new Mat(Height, Width, MatType.CV_8UC1, Scalar.All(255)),
            1.0,
            bgr)
        {
            Polarity = polarity,
        };
    }

    private static HairExtraction Extract(HairSegmentation seg, HairInstanceOptions options)
    {
        using var analysable = new Mat(Height, Width, MatType.CV_8UC1, Scalar.All(255));
        var scale = new Scale(180, ScaleSource.Request, 0.01, "test");
        return HairInstanceExtractor.Extract(seg, analysable, scale, 180, options, CancellationToken.None);
    }

    [Fact]
    public void A_light_shaft_opens_where_its_contrast_fades()
    {
        using var seg = Frame(HairPolarity.Light);
        var hair = Assert.Single(Extract(seg, new HairInstanceOptions()).Hairs);
        Assert.True(Math.Abs(hair.Emergence.X - Opening) < 15, $"emergence at x={hair.Emergence.X:F0}");
        Assert.True(Math.Abs(hair.Tip.X - Tip) < 15, $"tip at x={hair.Tip.X:F0}");
    }

    [Fact]
    public void Without_the_fade_test_the_darker_end_reads_as_the_opening()
    {
        using var seg = Frame(HairPolarity.Light);
        var hair = Assert.Single(Extract(seg, new HairInstanceOptions { EmergenceFadeTest = false }).Hairs);
        Assert.True(Math.Abs(hair.Emergence.X - Tip) < 15, $"emergence at x={hair.Emergence.X:F0}");
    }

    [Fact]
    public void Dark_polarity_frames_keep_the_sub_surface_test()
    {
        using var seg = Frame(HairPolarity.Dark);
        var hair = Assert.Single(Extract(seg, new HairInstanceOptions()).Hairs);
        Assert.True(Math.Abs(hair.Emergence.X - Tip) < 15, $"emergence at x={hair.Emergence.X:F0}");
    }

    [Fact]
    public void Fade_ratio_must_be_positive()
    {
        Assert.Contains(new HairInstanceOptions { EmergenceFadeMaxRatio = 0 }.Validate(), e => e.Contains("EmergenceFadeMaxRatio", StringComparison.Ordinal));
    }
}
