using OpenCvSharp;
using SmpVision.Pipeline.Segmentation;
using SmpVision.Pipeline.Tests.Measurement;

namespace SmpVision.Pipeline.Tests.Segmentation;

/// <summary>
/// Session 11 (light shafts): a grey shaft on brown skin is a light core between shaded rims darker
/// than the skin; the light test keeps only the core, and the chroma regions overlapping it (the
/// neutral shaft across its whole width) restore the full width, while neutral structures that touch
/// no light shaft are not added. Frames are drawn in code at 180 px/mm (the working resolution).
/// </summary>
public sealed class LightShaftExtentTests
{
    private const double PixelsPerMillimetre = 180;

    // Brown skin (ITA ~ -15, Chardon 1991 brown band); a neutral shaft: light core, darker rims.
    private static readonly Scalar BrownSkin = new(70, 95, 130);
    private static readonly Scalar LightCore = new(128, 130, 132);
    private static readonly Scalar ShadedRim = new(84, 85, 86);

    // Dark skin (ITA ~ -45, Chardon dark band): the extent is not applied there.
    private static readonly Scalar DarkSkin = new(40, 52, 75);

    private static HairSegmentation Segment(Mat bgr, HairSegmentationOptions options)
    {
        using var analysable = new Mat(bgr.Size(), MatType.CV_8UC1, Scalar.All(255));
        return HairSegmenter.Segment(bgr, analysable, PixelsPerMillimetre, options, CancellationToken.None);
    }

    /// <summary>Horizontal shafts 15 px (83 um) wide, 300 px long: a 9 px light core between 3 px shaded rims.</summary>
    private static Mat GreyShafts() => GreyShafts(BrownSkin, LightCore, ShadedRim);

    private static Mat GreyShafts(Scalar skin, Scalar lightCore, Scalar shadedRim) => TrichoscopyFixture.GreyShafts(skin, lightCore, shadedRim);

    private static int MedianWidthPixels(HairSegmentation seg) => TrichoscopyFixture.MedianGreyShaftWidthPixels(seg.HairMask);

    [Fact]
    public void A_grey_shaft_read_light_is_measured_to_its_shaded_rims()
    {
        using var img = GreyShafts();
        using var seg = Segment(img, new HairSegmentationOptions());
        using var core = Segment(img, new HairSegmentationOptions { LightShaftChromaExtent = false });

        Assert.True(seg.Polarity == HairPolarity.Light, $"dark evidence {seg.DarkEvidence:F4}, light {seg.LightEvidence:F4}");
        Assert.Equal(HairPolarity.Light, core.Polarity);
        int coreWidth = MedianWidthPixels(core), width = MedianWidthPixels(seg);
        Assert.True(coreWidth <= 11, $"light test alone {coreWidth} px");
        Assert.True(width is >= 13 and <= 17, $"with the chroma extent {width} px");
    }

    [Fact]
    public void Neutral_shafts_that_touch_no_light_shaft_are_not_added()
    {
        using var img = GreyShafts();
        // A neutral line of the skin's own lightness, apart from the light shafts: chroma sees it, the light test does not.
        Cv2.Line(img, new Point(60, 370), new Point(420, 360), new Scalar(100, 101, 102), 13);
        // The session 11 extent (session 12's neutral extent off: it adds lone neutral shafts, GreyShaftNeutralExtentTests).
        using var seg = Segment(img, new HairSegmentationOptions { LightShaftNeutralMinFraction = 2 });

        Assert.Equal(HairPolarity.Light, seg.Polarity);
        using var band = new Mat(seg.HairMask, new Rect(100, 350, 300, 30));
        Assert.Equal(0, Cv2.CountNonZero(band));
    }

    [Fact]
    public void On_dark_skin_the_light_mask_is_not_extended()
    {
        // Rims and core both lighter than the dark skin, the core within the chroma path's glare cut.
        using var img = GreyShafts(DarkSkin, new Scalar(74, 75, 76), new Scalar(63, 64, 65));
        // The session 11 extent (session 12's neutral extent off: it applies on any skin, GreyShaftNeutralExtentTests).
        using var seg = Segment(img, new HairSegmentationOptions { LightShaftNeutralMinFraction = 2 });
        using var ungated = Segment(img, new HairSegmentationOptions { LightShaftNeutralMinFraction = 2, LightShaftExtentMinSkinItaDegrees = -90 });
        using var core = Segment(img, new HairSegmentationOptions { LightShaftChromaExtent = false });

        Assert.Equal(HairPolarity.Light, seg.Polarity);
        Assert.Equal(Cv2.CountNonZero(core.HairMask), Cv2.CountNonZero(seg.HairMask));
        // Without the gate the chroma regions would add to it.
        Assert.True(Cv2.CountNonZero(ungated.HairMask) > Cv2.CountNonZero(core.HairMask));
    }

    [Fact]
    public void Extend_adds_only_overlapping_regions_within_reach()
    {
        using var light = new Mat(60, 100, MatType.CV_8UC1, Scalar.All(0));
        using var extent = new Mat(60, 100, MatType.CV_8UC1, Scalar.All(0));
        using var allowed = new Mat(60, 100, MatType.CV_8UC1, Scalar.All(255));
        Cv2.Rectangle(light, new Rect(10, 10, 80, 5), Scalar.All(255), -1);
        // Overlapping region 13 px tall (4 px beyond the core on each side), and one apart.
        Cv2.Rectangle(extent, new Rect(10, 6, 80, 13), Scalar.All(255), -1);
        Cv2.Rectangle(extent, new Rect(10, 40, 80, 13), Scalar.All(255), -1);

        LightShaftExtent.Extend(light, extent, 3, 3);

        Assert.Equal(255, light.At<byte>(7, 50));
        Assert.Equal(0, light.At<byte>(6, 50));
        Assert.Equal(0, light.At<byte>(45, 50));
    }
}
