using OpenCvSharp;
using SmpVision.Pipeline.Segmentation;
using SmpVision.Pipeline.Synthetic;

namespace SmpVision.Pipeline.Tests.Segmentation;

/// <summary>
/// Session 12 (tri16, brown hair on brown and dark skin): the light core of a brown shaft of nearly
/// the skin's lightness is filled between its rims where its darkest channel is darker than the
/// skin; skin between two separate shafts is not.
/// </summary>
public sealed class DarkShaftCoreTests
{
    private const double PixelsPerMillimetre = 180;
    private const double MicrometresPerPixel = 1000.0 / PixelsPerMillimetre;

    /// <summary>Code-made 80 x 60 mask: horizontal bands [y0, y1) set to 255, and a core-darkness map with the given value per band.</summary>
    private static (Mat Mask, Mat Core) Bands((int Y0, int Y1)[] hair, (int Y0, int Y1, byte Darkness)[] core)
    {
        var mask = new Mat(60, 80, MatType.CV_8UC1, Scalar.All(0));
        var dark = new Mat(60, 80, MatType.CV_8UC1, Scalar.All(0));
        foreach (var (y0, y1) in hair)
        {
            mask.Rectangle(new Rect(5, y0, 70, y1 - y0), Scalar.All(255), -1);
            dark.Rectangle(new Rect(5, y0, 70, y1 - y0), Scalar.All(100), -1);
        }

        foreach (var (y0, y1, d) in core)
        {
            dark.Rectangle(new Rect(5, y0, 70, y1 - y0), Scalar.All(d), -1);
        }

        return (mask, dark);
    }

    [Fact]
    public void Core_darker_than_skin_in_one_channel_is_filled_between_rims()
    {
        // Rims of 3 px around a 6 px core (a 12 px = 67 um shaft), core darkness 0.16 in its darkest channel.
        var (mask, core) = Bands([(20, 23), (29, 32)], [(23, 29, 40)]);
        using (mask)
        using (core)
        {
            int filled = DarkShaftCores.Fill(mask, core, MicrometresPerPixel, new HairSegmentationOptions());
            Assert.Equal(6 * 70, filled);
            Assert.Equal(255, mask.At<byte>(26, 40));
        }
    }

    [Fact]
    public void Skin_between_two_shafts_and_a_disabled_fill_stay_open()
    {
        // Two 7 px shafts 6 px apart with skin between (its mottling: darkness 0.03).
        var (mask, core) = Bands([(20, 27), (33, 40)], [(27, 33, 8)]);
        using (mask)
        using (core)
        {
            Assert.Equal(0, DarkShaftCores.Fill(mask, core, MicrometresPerPixel, new HairSegmentationOptions()));
        }

        // A dark core, but the fill is off.
        var (mask2, core2) = Bands([(20, 23), (29, 32)], [(23, 29, 40)]);
        using (mask2)
        using (core2)
        {
            Assert.Equal(0, DarkShaftCores.Fill(mask2, core2, MicrometresPerPixel, new HairSegmentationOptions { DarkCoreMaxGapMicrometres = 0 }));
        }
    }

    [Fact]
    public void Filled_shaft_wider_than_one_terminal_shaft_stays_open()
    {
        // Two 9 px bands 10 px apart: filled they would be 28 px = 156 um, over the 120 um limit.
        // Only their ends (where the closed block is narrow within reach) may fill, not the gap along them.
        var (mask, core) = Bands([(15, 24), (34, 43)], [(24, 34, 40)]);
        using (mask)
        using (core)
        {
            int filled = DarkShaftCores.Fill(mask, core, MicrometresPerPixel, new HairSegmentationOptions());
            Assert.True(filled < 10 * 70 / 5, $"{filled} gap pixels filled");
            Assert.Equal(0, mask.At<byte>(29, 40));
        }
    }

    /// <summary>
    /// A generated 640 x 480 frame of brown hair on brown skin (ITA -29, as mixed seed 1718), no
    /// glare, dye or overlays: with the fill, more of the true shaft pixels are hair, and the mask
    /// off the shafts does not grow.
    /// </summary>
    [Fact]
    public void Brown_shafts_on_brown_skin_are_covered_across_their_width()
    {
        var frame = SyntheticTrichoscopyGenerator.Generate(
            new SyntheticTrichoscopySpec
            {
                WidthPixels = 640,
                HeightPixels = 480,
                PixelsPerMillimetre = PixelsPerMillimetre,
                SkinItaDegrees = -29,
                HairColour = SyntheticHairColour.Brown,
                FollicularUnitsPerSquareCentimetre = 40,
                Glare = 0,
                Vignetting = 0,
                NoiseSigma = 3,
                JpegQuality = 90,
            },
            7);
        using var img = Cv2.ImDecode(frame.EncodedImage, ImreadModes.Color);
        using var analysable = new Mat(img.Size(), MatType.CV_8UC1, Scalar.All(255));
        var o = new HairSegmentationOptions { ForcedPolarity = HairPolarity.Dark };
        using var filled = HairSegmenter.Segment(img, analysable, PixelsPerMillimetre, o, CancellationToken.None);
        using var plain = HairSegmenter.Segment(img, analysable, PixelsPerMillimetre, o with { DarkCoreMaxGapMicrometres = 0 }, CancellationToken.None);

        var before = ShaftMaskScore.Of(plain, frame.Truth);
        var after = ShaftMaskScore.Of(filled, frame.Truth);
        Assert.True(after.Covered > before.Covered * 1.03, $"true shaft pixels covered {before.Covered} -> {after.Covered}");
        Assert.True(after.OffShaft <= before.OffShaft + 200, $"off-shaft hair pixels {before.OffShaft} -> {after.OffShaft}");
    }
}
