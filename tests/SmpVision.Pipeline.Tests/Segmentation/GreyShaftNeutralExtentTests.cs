using OpenCvSharp;
using SmpVision.Pipeline.Segmentation;
using SmpVision.Pipeline.Tests.Measurement;

namespace SmpVision.Pipeline.Tests.Segmentation;

/// <summary>
/// Session 12 (grey shafts): on a frame read Light whose light shafts are neutral, the neutral mask
/// (smoothed chroma, no glare cut) decides the shafts' extent on any skin, drops light skin attached
/// to a shaft away from its neutral body, and adds straight neutral shafts the light test missed.
/// Frames are drawn in code at 180 px/mm (the working resolution); the masks tests use tiny Mats.
/// </summary>
public sealed class GreyShaftNeutralExtentTests
{
    private const double PixelsPerMillimetre = 180;

    // Brown skin (ITA ~ -15, Chardon 1991 brown band); a neutral shaft: light core, darker rims.
    private static readonly Scalar BrownSkin = new(70, 95, 130);
    private static readonly Scalar LightCore = new(128, 130, 132);
    private static readonly Scalar ShadedRim = new(84, 85, 86);

    // Dark skin (ITA ~ -45, Chardon dark band); grey shafts whose rims are lighter than it too.
    private static readonly Scalar DarkSkin = new(40, 52, 75);

    private static HairSegmentation Segment(Mat bgr, HairSegmentationOptions options)
    {
        using var analysable = new Mat(bgr.Size(), MatType.CV_8UC1, Scalar.All(255));
        return HairSegmenter.Segment(bgr, analysable, PixelsPerMillimetre, options, CancellationToken.None);
    }

    private static Mat GreyShafts(Scalar skin, Scalar lightCore, Scalar shadedRim) => TrichoscopyFixture.GreyShafts(skin, lightCore, shadedRim);

    private static int MedianWidthPixels(HairSegmentation seg) => TrichoscopyFixture.MedianGreyShaftWidthPixels(seg.HairMask);

    [Fact]
    public void On_dark_skin_grey_shafts_are_measured_to_their_rims()
    {
        // Rims and core both lighter than the dark skin; the light test's half maximum keeps the core only.
        using var img = GreyShafts(DarkSkin, new Scalar(110, 111, 112), new Scalar(66, 67, 68));
        using var seg = Segment(img, new HairSegmentationOptions());
        using var core = Segment(img, new HairSegmentationOptions { LightShaftChromaExtent = false });

        Assert.Equal(HairPolarity.Light, seg.Polarity);
        int coreWidth = MedianWidthPixels(core), width = MedianWidthPixels(seg);
        Assert.True(width > coreWidth, $"light test alone {coreWidth} px, with the neutral extent {width} px");
        Assert.True(width is >= 13 and <= 17, $"with the neutral extent {width} px");
    }

    [Fact]
    public void A_straight_neutral_shaft_the_light_test_misses_is_added()
    {
        using var img = GreyShafts(BrownSkin, LightCore, ShadedRim);
        // A neutral shaft of the skin's own lightness, apart from the light shafts: only chroma sees it.
        Cv2.Line(img, new Point(60, 370), new Point(420, 360), new Scalar(100, 101, 102), 13);
        using var seg = Segment(img, new HairSegmentationOptions());
        using var without = Segment(img, new HairSegmentationOptions { LightShaftAddLoneNeutral = false });

        Assert.Equal(HairPolarity.Light, seg.Polarity);
        using var band = new Mat(seg.HairMask, new Rect(100, 350, 300, 30));
        using var bandWithout = new Mat(without.HairMask, new Rect(100, 350, 300, 30));
        Assert.True(Cv2.CountNonZero(band) > 0.8 * 300 * 13, $"{Cv2.CountNonZero(band)} px of the neutral shaft");
        Assert.Equal(0, Cv2.CountNonZero(bandWithout));
    }

    [Fact]
    public void NeutralFraction_is_the_share_of_light_pixels_in_the_neutral_mask()
    {
        using var light = new Mat(20, 40, MatType.CV_8UC1, Scalar.All(0));
        using var neutral = new Mat(20, 40, MatType.CV_8UC1, Scalar.All(0));
        Cv2.Rectangle(light, new Rect(0, 0, 40, 10), Scalar.All(255), -1);
        Cv2.Rectangle(neutral, new Rect(0, 0, 10, 20), Scalar.All(255), -1);

        Assert.Equal(0.25, LightShaftExtent.NeutralFraction(light, neutral), 6);
        using var empty = new Mat(20, 40, MatType.CV_8UC1, Scalar.All(0));
        Assert.Equal(0, LightShaftExtent.NeutralFraction(empty, neutral));
    }

    [Fact]
    public void KeepNearNeutral_trims_attached_skin_and_sets_apart_lone_regions()
    {
        using var light = new Mat(60, 100, MatType.CV_8UC1, Scalar.All(0));
        using var neutral = new Mat(60, 100, MatType.CV_8UC1, Scalar.All(0));
        using var apart = new Mat();
        // A shaft with a light blob attached 10-20 px below it, and a lone light region.
        Cv2.Rectangle(neutral, new Rect(10, 10, 80, 6), Scalar.All(255), -1);
        Cv2.Rectangle(light, new Rect(10, 11, 80, 4), Scalar.All(255), -1);
        Cv2.Rectangle(light, new Rect(40, 15, 10, 15), Scalar.All(255), -1);
        Cv2.Rectangle(light, new Rect(10, 45, 30, 3), Scalar.All(255), -1);

        LightShaftExtent.KeepNearNeutral(light, neutral, 3, apart);

        Assert.Equal(255, light.At<byte>(12, 50));
        Assert.Equal(255, light.At<byte>(18, 45));
        Assert.Equal(0, light.At<byte>(25, 45));
        Assert.Equal(0, light.At<byte>(46, 20));
        Assert.Equal(255, apart.At<byte>(46, 20));
        Assert.Equal(0, apart.At<byte>(12, 50));
    }

    [Fact]
    public void AddLoneNeutralShafts_adds_only_long_straight_regions_apart_from_light()
    {
        using var light = new Mat(60, 100, MatType.CV_8UC1, Scalar.All(0));
        using var neutral = new Mat(60, 100, MatType.CV_8UC1, Scalar.All(0));
        Cv2.Rectangle(light, new Rect(10, 5, 80, 4), Scalar.All(255), -1);
        // Touching the light region (Extend's business), long and apart, short and apart.
        Cv2.Rectangle(neutral, new Rect(10, 4, 80, 6), Scalar.All(255), -1);
        Cv2.Rectangle(neutral, new Rect(10, 25, 60, 5), Scalar.All(255), -1);
        Cv2.Rectangle(neutral, new Rect(10, 45, 12, 5), Scalar.All(255), -1);

        LightShaftExtent.AddLoneNeutralShafts(light, neutral, 40, 0.6);

        Assert.Equal(0, light.At<byte>(4, 50));
        Assert.Equal(255, light.At<byte>(27, 40));
        Assert.Equal(0, light.At<byte>(47, 15));
    }
}
