using OpenCvSharp;
using SmpVision.Pipeline.Segmentation;
using SmpVision.Pipeline.Tests.Measurement;

namespace SmpVision.Pipeline.Tests.Segmentation;

/// <summary>
/// Session 9 (polarity and light hair): the polarity evidence ignores short light specks, and the
/// core of a hollow-looking shaft (grey on skin of nearly its lightness) is filled, while the gap
/// between two separate shafts is not. Frames are drawn in code at 180 px/mm (5.6 um per pixel,
/// the working resolution, so nothing is resampled).
/// </summary>
public sealed class HairSegmenterPolarityTests
{
    private const double PixelsPerMillimetre = 180;

    // ITA ~53 skin (pink-beige) and a neutral grey shaft: core nearly the skin's lightness, rims shaded.
    private static readonly Scalar PinkSkin = new(140, 157, 186);
    private static readonly Scalar GreyCore = new(135, 135, 135);
    private static readonly Scalar GreyRim = new(88, 88, 88);

    private static HairSegmentation Segment(Mat bgr, HairSegmentationOptions options)
    {
        using var analysable = new Mat(bgr.Size(), MatType.CV_8UC1, Scalar.All(255));
        return HairSegmenter.Segment(bgr, analysable, PixelsPerMillimetre, options, CancellationToken.None);
    }

    /// <summary>Horizontal shafts 13 px (72 um) wide, 300 px long, at the given rows; the core 7 px wide.</summary>
    private static Mat HollowShafts(params int[] rows)
    {
        var img = TrichoscopyFixture.Skin(480, 400, 9, PinkSkin);
        foreach (int y in rows)
        {
            Cv2.Rectangle(img, new Rect(90, y - 6, 300, 13), GreyRim, -1);
            Cv2.Rectangle(img, new Rect(90, y - 3, 300, 7), GreyCore, -1);
        }

        return img;
    }

    private static double CoreCoverage(HairSegmentation seg, int[] rows)
    {
        int hit = 0, total = 0;
        foreach (int y in rows)
        {
            for (int yy = y - 2; yy <= y + 2; yy++)
            {
                for (int x = 110; x < 370; x++)
                {
                    total++;
                    hit += seg.HairMask.At<byte>(yy, x) != 0 ? 1 : 0;
                }
            }
        }

        return (double)hit / total;
    }

    [Fact]
    public void The_core_of_a_hollow_looking_shaft_is_filled()
    {
        int[] rows = [80, 200, 320];
        using var img = HollowShafts(rows);
        using var filled = Segment(img, new HairSegmentationOptions());
        // Both hollow fills off: the darkness fill and the neutral-core fill of session 13 (GreyShaftCores).
        using var open = Segment(img, new HairSegmentationOptions { HollowShaftMaxGapMicrometres = 0, GreyCoreMaxGapMicrometres = 0 });

        Assert.Equal(HairPolarity.Dark, filled.Polarity);
        // Without the fill the half-maximum keeps the two rims only.
        Assert.True(CoreCoverage(open, rows) < 0.5, $"core without the fill {CoreCoverage(open, rows):P0}");
        Assert.True(CoreCoverage(filled, rows) > 0.9, $"core with the fill {CoreCoverage(filled, rows):P0}");
    }

    [Fact]
    public void The_gap_between_two_separate_faint_shafts_stays_open()
    {
        // Two solid faint shafts 13 px wide, 6 px (33 um) apart: each is as wide as half their joined width.
        using var img = TrichoscopyFixture.Skin(480, 400, 9, PinkSkin);
        var faint = new Scalar(105, 112, 128);
        Cv2.Rectangle(img, new Rect(90, 180, 300, 13), faint, -1);
        Cv2.Rectangle(img, new Rect(90, 199, 300, 13), faint, -1);
        using var seg = Segment(img, new HairSegmentationOptions());

        int gap = 0;
        for (int y = 194; y <= 197; y++)
        {
            for (int x = 110; x < 370; x++)
            {
                gap += seg.HairMask.At<byte>(y, x) != 0 ? 1 : 0;
            }
        }

        Assert.True(gap < 0.1 * 4 * 260, $"gap pixels filled: {gap}");
    }

    [Fact]
    public void Short_light_specks_do_not_outweigh_a_few_faint_dark_shafts()
    {
        // Brown skin (ITA about -20) with two brown shafts and many short light scale flakes.
        var skin = new Scalar(73, 93, 130);
        using var img = TrichoscopyFixture.Skin(640, 512, 5, skin);
        Cv2.Line(img, new Point(100, 150), new Point(420, 190), new Scalar(50, 64, 92), 13);
        Cv2.Line(img, new Point(150, 380), new Point(500, 330), new Scalar(50, 64, 92), 13);
        var rng = new Random(11);
        var flake = new Scalar(skin.Val0 + 45, skin.Val1 + 45, skin.Val2 + 45);
        for (int i = 0; i < 260; i++)
        {
            var c = new Point(rng.Next(10, 630), rng.Next(10, 502));
            double a = rng.NextDouble() * Math.PI;
            int len = rng.Next(4, 9);
            var d = new Point((int)Math.Round(len * Math.Cos(a)), (int)Math.Round(len * Math.Sin(a)));
            Cv2.Line(img, c - d, c + d, flake, 3);
        }

        using var seg = Segment(img, new HairSegmentationOptions());
        Assert.Equal(HairPolarity.Dark, seg.Polarity);
    }
}
