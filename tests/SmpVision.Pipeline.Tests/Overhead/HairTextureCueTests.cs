using OpenCvSharp;
using SmpVision.Pipeline.Overhead;
using Xunit;

namespace SmpVision.Pipeline.Tests.Overhead;

/// <summary>
/// The orientation-coherence cue that separates hair strands (lines, one direction) from skin pores
/// and sheen speckle (round, isotropic), on generated L* patches.
/// </summary>
public sealed class HairTextureCueTests
{
    private const int Side = 96;

    [Fact]
    public void Strands_are_coherent_and_pores_are_not()
    {
        var o = new OverheadOptions();
        using var strands = Strands();
        using var pores = Pores();
        using var strandCoherence = HairClassifier.OrientationCoherence(strands, o);
        using var poreCoherence = HairClassifier.OrientationCoherence(pores, o);
        using var inner = new Mat(strandCoherence, new Rect(16, 16, Side - 32, Side - 32));
        using var innerPores = new Mat(poreCoherence, new Rect(16, 16, Side - 32, Side - 32));
        double strandMean = Cv2.Mean(inner).Val0;
        double poreMean = Cv2.Mean(innerPores).Val0;
        Assert.True(strandMean > o.HairCoherenceStrong, $"strands {strandMean:F2}");
        Assert.True(poreMean < o.HairCoherenceHigh, $"pores {poreMean:F2}");
    }

    [Fact]
    public void Smooth_shading_is_not_read_as_oriented_texture()
    {
        // A bald dome's shading is a coherent but slow gradient; the high-pass removes it, so the
        // remaining (near-zero) gradients carry no orientation.
        var o = new OverheadOptions();
        using var ramp = new Mat(Side, Side, MatType.CV_32FC1);
        var rows = ramp.AsRows<float>();
        for (int y = 0; y < Side; y++)
        {
            for (int x = 0; x < Side; x++)
            {
                rows[y][x] = 40f + (0.3f * x);
            }
        }

        using var texture = HairClassifier.LocalTexture(ramp, o);
        using var inner = new Mat(texture, new Rect(16, 16, Side - 32, Side - 32));
        Assert.True(Cv2.Mean(inner).Val0 < o.WeakHairTextureFraction * o.HairTextureLow);
    }

    /// <summary>Thin dark lines, 4 px apart, at 30 degrees: combed hair at working resolution.</summary>
    private static Mat Strands()
    {
        var m = new Mat(Side, Side, MatType.CV_32FC1, Scalar.All(60));
        double dx = Math.Cos(Math.PI / 6), dy = Math.Sin(Math.PI / 6);
        for (int k = -2 * Side; k < 2 * Side; k += 4)
        {
            var p0 = new Point((int)((-dy * k) - (dx * 2 * Side)), (int)((dx * k) - (dy * 2 * Side)));
            var p1 = new Point((int)((-dy * k) + (dx * 2 * Side)), (int)((dx * k) + (dy * 2 * Side)));
            Cv2.Line(m, p0, p1, Scalar.All(45), 1, LineTypes.AntiAlias);
        }

        return m;
    }

    /// <summary>Round dark dots at random places: pores under a sheen.</summary>
    private static Mat Pores()
    {
        var m = new Mat(Side, Side, MatType.CV_32FC1, Scalar.All(70));
        var random = new Random(7);
        for (int i = 0; i < 600; i++)
        {
            Cv2.Circle(m, new Point(random.Next(Side), random.Next(Side)), 1, Scalar.All(55), -1, LineTypes.AntiAlias);
        }

        return m;
    }
}
