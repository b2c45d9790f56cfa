using OpenCvSharp;
using SmpVision.Pipeline.Segmentation;
using SmpVision.Pipeline.Synthetic;
using SmpVision.Pipeline.Tests.Measurement;

namespace SmpVision.Pipeline.Tests.Segmentation;

/// <summary>
/// Session 13 (tri21, grey hair read dark on light skin): the neutral core of a hollow grey shaft is
/// filled between its rims; skin between two shafts (not neutral) is not; a frame whose dark mask
/// is not mostly neutral (blond shafts) is left as it is.
/// </summary>
public sealed class GreyShaftCoreTests
{
    private const double PixelsPerMillimetre = 180;
    private const double MicrometresPerPixel = 1000.0 / PixelsPerMillimetre;

    /// <summary>Code-made 80 x 60 masks: hair bands [y0, y1) and neutral bands [y0, y1), set to 255.</summary>
    private static (Mat Mask, Mat Neutral) Bands((int Y0, int Y1)[] hair, (int Y0, int Y1)[] neutral)
    {
        var mask = new Mat(60, 80, MatType.CV_8UC1, Scalar.All(0));
        var n = new Mat(60, 80, MatType.CV_8UC1, Scalar.All(0));
        foreach (var (y0, y1) in hair)
        {
            mask.Rectangle(new Rect(5, y0, 70, y1 - y0), Scalar.All(255), -1);
        }

        foreach (var (y0, y1) in neutral)
        {
            n.Rectangle(new Rect(5, y0, 70, y1 - y0), Scalar.All(255), -1);
        }

        return (mask, n);
    }

    [Fact]
    public void Neutral_core_between_rims_is_filled()
    {
        // Rims of 3 px around a 6 px core (a 12 px = 67 um shaft), the whole shaft neutral.
        var (mask, neutral) = Bands([(20, 23), (29, 32)], [(20, 32)]);
        using (mask)
        using (neutral)
        {
            int filled = GreyShaftCores.Fill(mask, neutral, MicrometresPerPixel, new HairSegmentationOptions());
            Assert.Equal(6 * 70, filled);
            Assert.Equal(255, mask.At<byte>(26, 40));
        }
    }

    [Fact]
    public void Skin_between_two_shafts_and_a_disabled_fill_stay_open()
    {
        // Two 7 px shafts 6 px apart, each neutral, the skin between not.
        var (mask, neutral) = Bands([(20, 27), (33, 40)], [(20, 27), (33, 40)]);
        using (mask)
        using (neutral)
        {
            Assert.Equal(0, GreyShaftCores.Fill(mask, neutral, MicrometresPerPixel, new HairSegmentationOptions()));
        }

        var (mask2, neutral2) = Bands([(20, 23), (29, 32)], [(20, 32)]);
        using (mask2)
        using (neutral2)
        {
            Assert.Equal(0, GreyShaftCores.Fill(mask2, neutral2, MicrometresPerPixel, new HairSegmentationOptions { GreyCoreMaxGapMicrometres = 0 }));
        }
    }

    [Fact]
    public void Apply_runs_only_when_the_dark_mask_is_mostly_neutral_and_adds_lone_neutral_shafts()
    {
        // Hollow shaft (rims 20-23, 29-32) neutral across; a second neutral shaft (44-52), 400 um long, touching no hair pixel.
        var (mask, neutral) = Bands([(20, 23), (29, 32)], [(20, 32), (44, 52)]);
        using (mask)
        using (neutral)
        {
            Assert.True(GreyShaftCores.Apply(mask, c => neutral.Clone(), MicrometresPerPixel, new HairSegmentationOptions()));
            Assert.Equal(255, mask.At<byte>(26, 40));
            Assert.Equal(255, mask.At<byte>(48, 40));
        }

        // Saturated (blond) rims: the neutral mask holds none of the dark mask, nothing changes.
        var (mask2, neutral2) = Bands([(20, 23), (29, 32)], [(23, 29), (44, 52)]);
        using (mask2)
        using (neutral2)
        {
            int before = Cv2.CountNonZero(mask2);
            Assert.False(GreyShaftCores.Apply(mask2, c => neutral2.Clone(), MicrometresPerPixel, new HairSegmentationOptions()));
            Assert.Equal(before, Cv2.CountNonZero(mask2));
        }
    }

    [Fact]
    public void Code_made_hollow_grey_shafts_on_pink_skin_are_filled_without_the_darkness_fill()
    {
        // As HairSegmenterPolarityTests: ITA ~53 skin, neutral shafts 13 px wide with a 7 px core of nearly the skin's lightness.
        using var img = TrichoscopyFixture.Skin(480, 400, 9, new Scalar(140, 157, 186));
        int[] rows = [80, 200, 320];
        foreach (int y in rows)
        {
            Cv2.Rectangle(img, new Rect(90, y - 6, 300, 13), new Scalar(88, 88, 88), -1);
            Cv2.Rectangle(img, new Rect(90, y - 3, 300, 7), new Scalar(135, 135, 135), -1);
        }

        using var analysable = new Mat(img.Size(), MatType.CV_8UC1, Scalar.All(255));
        var o = new HairSegmentationOptions { HollowShaftMaxGapMicrometres = 0 };
        using var grey = HairSegmenter.Segment(img, analysable, PixelsPerMillimetre, o, CancellationToken.None);
        using var open = HairSegmenter.Segment(img, analysable, PixelsPerMillimetre, o with { GreyCoreMaxGapMicrometres = 0 }, CancellationToken.None);
        Assert.Equal(HairPolarity.Dark, grey.Polarity);
        Assert.True(CoreCoverage(open, rows) < 0.5, $"core without either fill {CoreCoverage(open, rows):P0}");
        Assert.True(CoreCoverage(grey, rows) > 0.9, $"core with the neutral-core fill {CoreCoverage(grey, rows):P0}");
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

    /// <summary>
    /// A generated 640 x 480 frame of grey hair on light skin (ITA 55), no glare, dye or overlays,
    /// read dark: with the pass, more of the true shaft pixels are hair, and the mask off the shafts
    /// does not grow much.
    /// </summary>
    [Fact]
    public void Grey_shafts_on_light_skin_read_dark_are_covered_across_their_width()
    {
        var frame = SyntheticTrichoscopyGenerator.Generate(
            new SyntheticTrichoscopySpec
            {
                WidthPixels = 640,
                HeightPixels = 480,
                PixelsPerMillimetre = PixelsPerMillimetre,
                SkinItaDegrees = 55,
                HairColour = SyntheticHairColour.Grey,
                FollicularUnitsPerSquareCentimetre = 40,
                Glare = 0,
                Vignetting = 0,
                NoiseSigma = 3,
                JpegQuality = 90,
            },
            7);
        using var img = Cv2.ImDecode(frame.EncodedImage, ImreadModes.Color);
        using var analysable = new Mat(img.Size(), MatType.CV_8UC1, Scalar.All(255));
        var o = new HairSegmentationOptions();
        using var filled = HairSegmenter.Segment(img, analysable, PixelsPerMillimetre, o, CancellationToken.None);
        using var plain = HairSegmenter.Segment(img, analysable, PixelsPerMillimetre, o with { GreyCoreMaxGapMicrometres = 0 }, CancellationToken.None);

        Assert.Equal(HairPolarity.Dark, filled.Polarity);
        Assert.False(filled.ChromaUsed);
        var before = ShaftMaskScore.Of(plain, frame.Truth);
        var after = ShaftMaskScore.Of(filled, frame.Truth);
        Assert.True(after.Covered > before.Covered * 1.05, $"true shaft pixels covered {before.Covered} -> {after.Covered}");
        Assert.True(after.OffShaft <= before.OffShaft + 200, $"off-shaft hair pixels {before.OffShaft} -> {after.OffShaft}");
    }
}
