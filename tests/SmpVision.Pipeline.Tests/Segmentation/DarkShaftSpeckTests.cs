using OpenCvSharp;
using SmpVision.Pipeline.Segmentation;
using SmpVision.Pipeline.Synthetic;

namespace SmpVision.Pipeline.Tests.Segmentation;

/// <summary>
/// Session 11 (dark shafts on the mixed preset): on dark skin, clusters of white scale flakes make
/// the closing's skin level the flakes' level, so the plain skin between the clusters read as ragged
/// dark regions (mixed seeds 1103, 1125). The flake-free gate keeps them out and keeps the shafts.
/// </summary>
public sealed class DarkShaftSpeckTests
{
    private const double PixelsPerMillimetre = 180;

    /// <summary>
    /// A generated 640 x 480 frame of brown hair on dark skin under a cool cast with strong scale
    /// flakes, no overlays, glare or dye: the case where the skin between flake clusters read as hair.
    /// </summary>
    private static SyntheticFrame BrownHairOnFlakyDarkSkin(int seed) =>
        SyntheticTrichoscopyGenerator.Generate(
            new SyntheticTrichoscopySpec
            {
                WidthPixels = 640,
                HeightPixels = 480,
                PixelsPerMillimetre = PixelsPerMillimetre,
                SkinItaDegrees = -32,
                HairColour = SyntheticHairColour.Brown,
                FollicularUnitsPerSquareCentimetre = 50,
                SkinTexture = 1.3,
                // The dev camera's cool cast (as the mixed preset draws for half its frames) makes dark
                // skin near-neutral and leaves the whitish flakes the strongest structure on it.
                WhiteBalance = new SyntheticChannelGains(1.2, 1.06, 0.95),
                Glare = 0,
                Vignetting = 0,
                NoiseSigma = 3,
                JpegQuality = 85,
            },
            seed);

    private static HairSegmentation Segment(Mat bgr, HairSegmentationOptions options)
    {
        using var analysable = new Mat(bgr.Size(), MatType.CV_8UC1, Scalar.All(255));
        return HairSegmenter.Segment(bgr, analysable, PixelsPerMillimetre, options with { ForcedPolarity = HairPolarity.Dark }, CancellationToken.None);
    }


    [Fact]
    public void Skin_between_flake_clusters_is_not_hair()
    {
        var frame = BrownHairOnFlakyDarkSkin(4);
        using var img = Cv2.ImDecode(frame.EncodedImage, ImreadModes.Color);
        using var gated = Segment(img, new HairSegmentationOptions());
        using var plain = Segment(img, new HairSegmentationOptions { DarkSkinSpeckMicrometres = 0 });

        var before = ShaftMaskScore.Of(plain, frame.Truth);
        var after = ShaftMaskScore.Of(gated, frame.Truth);
        Assert.True(before.OffShaft > 5000, $"the fixture should show the failure: {before.OffShaft} px off the shafts without the gate");
        Assert.True(after.OffShaft < before.OffShaft / 4, $"off-shaft hair pixels {before.OffShaft} -> {after.OffShaft}");
        Assert.True(after.Recall > before.Recall - 0.05, $"shaft pixels covered {before.Recall:P0} -> {after.Recall:P0}");
    }

    [Fact]
    public void Options_validate_the_flake_gate()
    {
        Assert.Empty(new HairSegmentationOptions().Validate());
        Assert.NotEmpty(new HairSegmentationOptions { DarkSkinSpeckMicrometres = -1 }.Validate());
        Assert.NotEmpty(new HairSegmentationOptions { DarkSpeckFreeMinRelativeDarkness = 1 }.Validate());
    }
}
