using OpenCvSharp;
using SmpVision.Pipeline.Segmentation;
using SmpVision.Pipeline.Synthetic;

namespace SmpVision.Pipeline.Tests.Segmentation;

/// <summary>
/// Session 12 (blond hair): a blond shaft on tan or light skin is darker than the skin only along
/// its two shaded rims and lighter in its core; the dark test keeps two 1-2 px rims that the edge
/// smoothing erases. The pale pass fills the gap between thin rims where it is lighter than the skin;
/// on very light bluish-pink skin the core is instead darker in blue only (yellower), and is filled too.
/// </summary>
public sealed class PaleShaftCoreTests
{
    private const double PixelsPerMillimetre = 180;

    /// <summary>Two 2 px rims 10 px apart along rows 40-41 and 52-53 (a 14 px shaft) over columns 20-179.</summary>
    private static Mat Rims()
    {
        var mask = new Mat(100, 200, MatType.CV_8UC1, Scalar.All(0));
        Cv2.Rectangle(mask, new Rect(20, 40, 160, 2), Scalar.All(255), -1);
        Cv2.Rectangle(mask, new Rect(20, 52, 160, 2), Scalar.All(255), -1);
        return mask;
    }

    private static int FilledBetweenRims(Mat mask) => Cv2.CountNonZero(mask[new Rect(30, 43, 140, 8)]);

    [Fact]
    public void A_gap_lighter_than_the_skin_between_thin_rims_is_filled()
    {
        using var mask = Rims();
        using var grey = new Mat(100, 200, MatType.CV_8UC1, Scalar.All(140));
        Cv2.Rectangle(grey, new Rect(20, 42, 160, 10), Scalar.All(155), -1);
        using var skin = new Mat(100, 200, MatType.CV_8UC1, Scalar.All(140));
        using var analysable = new Mat(100, 200, MatType.CV_8UC1, Scalar.All(255));

        PaleShaftCore.Fill(mask, grey, skin, analysable, 15, 0.35, 22, 0.03);

        Assert.True(FilledBetweenRims(mask) > 0.9 * 140 * 8, $"{FilledBetweenRims(mask)} of {140 * 8} gap pixels filled");
    }

    [Fact]
    public void Skin_between_two_thin_dark_shafts_is_not_filled()
    {
        using var mask = Rims();
        // The gap is plain skin (the skin level, with texture around it): two separate thin shafts.
        using var grey = new Mat(100, 200, MatType.CV_8UC1, Scalar.All(140));
        using (var noise = new Mat(100, 200, MatType.CV_8UC1))
        {
            Cv2.SetTheRNG(1); // per-thread RNG: the same texture on any thread
            Cv2.Randu(noise, Scalar.All(0), Scalar.All(6));
            Cv2.Add(grey, noise, grey);
            Cv2.Subtract(grey, Scalar.All(3), grey);
        }

        using var skin = new Mat(100, 200, MatType.CV_8UC1, Scalar.All(140));
        using var analysable = new Mat(100, 200, MatType.CV_8UC1, Scalar.All(255));

        PaleShaftCore.Fill(mask, grey, skin, analysable, 15, 0.35, 22, 0.03);

        Assert.Equal(0, FilledBetweenRims(mask));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_gap_yellower_than_the_skin_is_filled_and_a_uniformly_darker_one_is_not(bool yellowCore)
    {
        using var mask = Rims();
        // Bluish-pink skin (B 200, R 205); the gap is either darker in blue only (a blond core) or
        // darker in every channel alike (blur of two separate dark shafts' rims).
        using var blue = new Mat(100, 200, MatType.CV_8UC1, Scalar.All(200));
        using var red = new Mat(100, 200, MatType.CV_8UC1, Scalar.All(205));
        using var grey = new Mat(100, 200, MatType.CV_8UC1, Scalar.All(195));
        Cv2.Rectangle(blue, new Rect(20, 42, 160, 10), Scalar.All(yellowCore ? 176 : 184), -1);
        Cv2.Rectangle(red, new Rect(20, 42, 160, 10), Scalar.All(yellowCore ? 203 : 189), -1);
        using var blueSkin = new Mat(100, 200, MatType.CV_8UC1, Scalar.All(200));
        using var redSkin = new Mat(100, 200, MatType.CV_8UC1, Scalar.All(205));
        using var greySkin = new Mat(100, 200, MatType.CV_8UC1, Scalar.All(195));
        using var analysable = new Mat(100, 200, MatType.CV_8UC1, Scalar.All(255));

        PaleShaftCore.Fill(mask, grey, greySkin, analysable, 15, 0.35, 22, double.PositiveInfinity, (blue, blueSkin, red, redSkin, 0.05));

        if (yellowCore)
        {
            Assert.True(FilledBetweenRims(mask) > 0.9 * 140 * 8, $"{FilledBetweenRims(mask)} of {140 * 8} gap pixels filled");
        }
        else
        {
            Assert.Equal(0, FilledBetweenRims(mask));
        }
    }

    /// <summary>A generated 640 x 480 frame of blond hair on tan skin (ITA 24), no overlays or dye.</summary>
    private static SyntheticFrame BlondOnTanSkin(int seed) =>
        SyntheticTrichoscopyGenerator.Generate(
            new SyntheticTrichoscopySpec
            {
                WidthPixels = 640,
                HeightPixels = 480,
                PixelsPerMillimetre = PixelsPerMillimetre,
                SkinItaDegrees = 24,
                HairColour = SyntheticHairColour.Blond,
                FollicularUnitsPerSquareCentimetre = 60,
                Vignetting = 0,
            },
            seed);


    [Fact]
    public void Blond_shafts_on_tan_skin_are_segmented_rim_to_rim()
    {
        var frame = BlondOnTanSkin(3);
        using var img = Cv2.ImDecode(frame.EncodedImage, ImreadModes.Color);
        using var analysable = new Mat(img.Size(), MatType.CV_8UC1, Scalar.All(255));
        using var pale = HairSegmenter.Segment(img, analysable, PixelsPerMillimetre, new HairSegmentationOptions(), CancellationToken.None);
        using var plain = HairSegmenter.Segment(img, analysable, PixelsPerMillimetre, new HairSegmentationOptions { PaleShaftMaxDarkEvidence = 0 }, CancellationToken.None);

        Assert.Equal(HairPolarity.Dark, pale.Polarity);
        Assert.True(pale.DarkEvidence < new HairSegmentationOptions().PaleShaftMaxDarkEvidence, $"dark evidence {pale.DarkEvidence:F4}: the fixture should be a pale-shaft frame");
        var before = ShaftMaskScore.Of(plain, frame.Truth);
        var after = ShaftMaskScore.Of(pale, frame.Truth);
        Assert.True(after.Recall > before.Recall + 0.2, $"shaft pixels covered {before.Recall:P0} -> {after.Recall:P0}");
        Assert.True(after.OffShaft < before.OffShaft + 2000, $"off-shaft hair pixels {before.OffShaft} -> {after.OffShaft}");
    }
}
