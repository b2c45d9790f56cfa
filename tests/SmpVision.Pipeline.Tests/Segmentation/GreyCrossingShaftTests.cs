using OpenCvSharp;
using SmpVision.Pipeline.Segmentation;

namespace SmpVision.Pipeline.Tests.Segmentation;

/// <summary>
/// Session 13 (tri21): two neutral shafts crossing make one X-shaped region that is not straight as
/// a whole; its straight runs are added as shafts, while a ragged neutral blob of skin is not.
/// </summary>
public sealed class GreyCrossingShaftTests
{
    // 250 um at 180 px/mm: the counted-length floor in working pixels.
    private const double MinLengthPixels = 45;
    private const double MinFill = 0.6;

    private static Mat Cross()
    {
        // Two 9 px wide shafts, 120 px (670 um) long, crossing at 30 degrees in a 200 x 160 frame.
        var m = new Mat(160, 200, MatType.CV_8UC1, Scalar.All(0));
        m.Line(new Point(40, 80), new Point(160, 80), Scalar.All(255), 9);
        m.Line(new Point(48, 115), new Point(152, 45), Scalar.All(255), 9);
        return m;
    }

    [Fact]
    public void Crossing_neutral_shafts_are_added_only_with_crossings_on()
    {
        using var neutral = Cross();
        using var without = new Mat(neutral.Size(), MatType.CV_8UC1, Scalar.All(0));
        LightShaftExtent.AddLoneNeutralShafts(without, neutral, MinLengthPixels, MinFill);
        Assert.Equal(0, Cv2.CountNonZero(without));

        using var with = new Mat(neutral.Size(), MatType.CV_8UC1, Scalar.All(0));
        LightShaftExtent.AddLoneNeutralShafts(with, neutral, MinLengthPixels, MinFill, crossings: true);
        // Both arms, along most of their length, and nothing outside the region.
        Assert.Equal(255, with.At<byte>(80, 60));
        Assert.Equal(255, with.At<byte>(80, 140));
        Assert.Equal(255, with.At<byte>(105, 63));
        Assert.Equal(255, with.At<byte>(55, 137));
        using var outside = new Mat();
        Cv2.BitwiseNot(neutral, outside);
        Cv2.BitwiseAnd(outside, with, outside);
        Assert.Equal(0, Cv2.CountNonZero(outside));
        Assert.True(Cv2.CountNonZero(with) > 0.8 * Cv2.CountNonZero(neutral), $"{Cv2.CountNonZero(with)} of {Cv2.CountNonZero(neutral)}");
    }

    [Fact]
    public void Ragged_neutral_blob_adds_nothing()
    {
        // Skin texture: a loose chain of small discs, long overall but with no straight run of 45 px.
        using var neutral = new Mat(160, 200, MatType.CV_8UC1, Scalar.All(0));
        for (int i = 0; i < 14; i++)
        {
            neutral.Circle(new Point(30 + (10 * i), 80 + (i % 2 == 0 ? -6 : 6)), 6, Scalar.All(255), -1);
        }

        using var mask = new Mat(neutral.Size(), MatType.CV_8UC1, Scalar.All(0));
        LightShaftExtent.AddLoneNeutralShafts(mask, neutral, MinLengthPixels, MinFill, crossings: true);
        Assert.Equal(0, Cv2.CountNonZero(mask));
    }
}
