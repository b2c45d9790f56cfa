using SmpVision.Pipeline.Detection;

namespace SmpVision.Pipeline.Tests.Detection;

/// <summary>The pure decoding of detector outputs: peaks, orientation, width, units.</summary>
public sealed class HairDetectionDecoderTests
{
    private const int W = 40, H = 30;

    private static float[] Blank() => new float[W * H];

    private static void Gaussian(float[] map, double cx, double cy, double sigma, float peak)
    {
        for (int y = 0; y < H; y++)
        {
            for (int x = 0; x < W; x++)
            {
                float v = peak * (float)Math.Exp(-(((x - cx) * (x - cx)) + ((y - cy) * (y - cy))) / (2 * sigma * sigma));
                map[(y * W) + x] = Math.Max(map[(y * W) + x], v);
            }
        }
    }

    /// <summary>A shaft of the given width (cells) along a direction through a centre, probability 1 inside.</summary>
    private static void Shaft(float[] map, double cx, double cy, double angle, double length, double width)
    {
        double dx = Math.Cos(angle), dy = Math.Sin(angle);
        for (int y = 0; y < H; y++)
        {
            for (int x = 0; x < W; x++)
            {
                double along = ((x - cx) * dx) + ((y - cy) * dy), across = (-(x - cx) * dy) + ((y - cy) * dx);
                if (Math.Abs(along) <= length / 2 && Math.Abs(across) <= width / 2)
                {
                    map[(y * W) + x] = 1;
                }
            }
        }
    }

    private static DetectorOutputs Outputs(float[] hair, float[] unit, float[] shaft, double boxW, double boxH)
    {
        var lw = Enumerable.Repeat((float)Math.Log(boxW), W * H).ToArray();
        var lh = Enumerable.Repeat((float)Math.Log(boxH), W * H).ToArray();
        return new DetectorOutputs(W, H, hair, unit, lw, lh, shaft);
    }

    [Fact]
    public void Peaks_above_the_threshold_are_hairs_and_weaker_ones_are_not()
    {
        var hair = Blank();
        Gaussian(hair, 10, 10, 1.5, 0.9f);
        Gaussian(hair, 30, 20, 1.5, 0.6f);
        Gaussian(hair, 20, 25, 1.5, 0.2f);
        var (hairs, _) = HairDetectionDecoder.Decode(Outputs(hair, Blank(), Blank(), 6, 6), W, H, 0.3, 0.3);
        Assert.Equal(2, hairs.Count);
        Assert.Contains(hairs, h => Math.Abs(h.CentreX - 10) < 0.3 && Math.Abs(h.CentreY - 10) < 0.3);
        Assert.Contains(hairs, h => Math.Abs(h.CentreX - 30) < 0.3 && Math.Abs(h.CentreY - 20) < 0.3);
    }

    [Fact]
    public void Peaks_in_the_padding_are_ignored()
    {
        var hair = Blank();
        Gaussian(hair, 36, 10, 1.0, 0.9f);
        var (hairs, _) = HairDetectionDecoder.Decode(Outputs(hair, Blank(), Blank(), 6, 6), 32, H, 0.3, 0.3);
        Assert.Empty(hairs);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.6)]
    [InlineData(-0.6)]
    [InlineData(1.5707963)]
    public void Orientation_length_and_width_follow_the_shaft(double angle)
    {
        var hair = Blank();
        Gaussian(hair, 20, 15, 1.5, 0.9f);
        var shaft = Blank();
        Shaft(shaft, 20, 15, angle, 12, 3);
        double boxW = Math.Max(3, 12 * Math.Abs(Math.Cos(angle))), boxH = Math.Max(3, 12 * Math.Abs(Math.Sin(angle)));
        var (hairs, _) = HairDetectionDecoder.Decode(Outputs(hair, Blank(), shaft, boxW, boxH), W, H, 0.3, 0.3);
        var h = Assert.Single(hairs);
        double cosBetween = Math.Abs((h.DirectionX * Math.Cos(angle)) + (h.DirectionY * Math.Sin(angle)));
        Assert.True(cosBetween > 0.97, $"direction ({h.DirectionX:F2}, {h.DirectionY:F2}) vs angle {angle}");
        Assert.InRange(h.LengthCells, 10, 13);
        Assert.InRange(h.WidthCells, 2.5, 4.0);
    }

    [Fact]
    public void Hairs_join_the_nearest_unit_within_reach_and_others_stand_alone()
    {
        var hair = Blank();
        Gaussian(hair, 10, 10, 1.2, 0.9f);
        Gaussian(hair, 13, 10, 1.2, 0.9f);
        Gaussian(hair, 32, 22, 1.2, 0.9f);
        var unit = Blank();
        Gaussian(unit, 11.5, 10, 1.2, 0.9f);
        Gaussian(unit, 20, 28, 1.2, 0.9f); // no hair within reach: dropped
        var (hairs, units) = HairDetectionDecoder.Decode(Outputs(hair, unit, Blank(), 4, 4), W, H, 0.3, 0.3);
        Assert.Equal(3, hairs.Count);
        Assert.Equal(2, units.Count);
        Assert.Contains(units, u => u.HairIndices.Count == 2);
        Assert.Contains(units, u => u.HairIndices.Count == 1);
        Assert.Equal(3, units.Sum(u => u.HairIndices.Count));
    }
}
