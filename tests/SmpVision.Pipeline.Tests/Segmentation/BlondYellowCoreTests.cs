using OpenCvSharp;
using SmpVision.Pipeline.Segmentation;

namespace SmpVision.Pipeline.Tests.Segmentation;

/// <summary>
/// Session 13 (tri20): on very light skin with little blue (mixed 2104, ITA 60, b* 9) a blond core is
/// yellower than the skin by only ~0.04 averaged over the gap between its rims; the default
/// <see cref="HairSegmentationOptions.YellowCoreMinYellowness"/> fills it, and still leaves a gap that
/// is darker in every channel alike (skin between two separate shafts) open.
/// </summary>
public sealed class BlondYellowCoreTests
{
    private static Mat Rims()
    {
        var mask = new Mat(100, 200, MatType.CV_8UC1, Scalar.All(0));
        Cv2.Rectangle(mask, new Rect(20, 40, 160, 2), Scalar.All(255), -1);
        Cv2.Rectangle(mask, new Rect(20, 52, 160, 2), Scalar.All(255), -1);
        return mask;
    }

    private static int FilledBetweenRims(Mat mask)
    {
        using var roi = new Mat(mask, new Rect(30, 42, 140, 10));
        return Cv2.CountNonZero(roi);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_faintly_yellow_core_is_filled_at_the_default_and_a_uniformly_darker_gap_is_not(bool yellowCore)
    {
        using var mask = Rims();
        // Skin B 200, R 205. Blond core: 4% darker in blue, red at the skin's (yellowness 0.04).
        // Skin between two shafts: 4% darker in both (yellowness 0).
        using var blue = new Mat(100, 200, MatType.CV_8UC1, Scalar.All(200));
        using var red = new Mat(100, 200, MatType.CV_8UC1, Scalar.All(205));
        using var grey = new Mat(100, 200, MatType.CV_8UC1, Scalar.All(195));
        Cv2.Rectangle(blue, new Rect(20, 42, 160, 10), Scalar.All(192), -1);
        Cv2.Rectangle(red, new Rect(20, 42, 160, 10), Scalar.All(yellowCore ? 205 : 197), -1);
        using var blueSkin = new Mat(100, 200, MatType.CV_8UC1, Scalar.All(200));
        using var redSkin = new Mat(100, 200, MatType.CV_8UC1, Scalar.All(205));
        using var greySkin = new Mat(100, 200, MatType.CV_8UC1, Scalar.All(195));
        using var analysable = new Mat(100, 200, MatType.CV_8UC1, Scalar.All(255));
        double minYellowness = new HairSegmentationOptions().YellowCoreMinYellowness;

        PaleShaftCore.Fill(mask, grey, greySkin, analysable, 15, 0.35, 22, double.PositiveInfinity, (blue, blueSkin, red, redSkin, minYellowness));

        if (yellowCore)
        {
            Assert.True(FilledBetweenRims(mask) > 0.9 * 140 * 8, $"{FilledBetweenRims(mask)} of {140 * 8} gap pixels filled");
        }
        else
        {
            Assert.Equal(0, FilledBetweenRims(mask));
        }
    }
}
