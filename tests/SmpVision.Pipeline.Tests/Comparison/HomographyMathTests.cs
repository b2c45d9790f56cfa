using SmpVision.Pipeline.Comparison;
using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Tests.Comparison;

public sealed class HomographyMathTests
{
    private static readonly PointPixels[] Corners = [new(0, 0), new(100, 0), new(100, 80), new(0, 80)];

    [Fact]
    public void Inverse_round_trips_points()
    {
        var h = new KnownWarp(17, 1.1, 5, -3, 0.05, 0.02, 1, 0).Homography(100, 80);
        var inv = HomographyMath.Invert(h)!;

        var p = HomographyMath.Apply(h, 30, 40);
        var back = HomographyMath.Apply(inv, p.X, p.Y);

        Assert.Equal(30, back.X, 6);
        Assert.Equal(40, back.Y, 6);
    }

    [Fact]
    public void Shape_of_a_similarity_gives_its_scale_and_rotation()
    {
        var h = new KnownWarp(30, 1.2, 0, 0, 0, 0, 1, 0).Homography(100, 80);

        var shape = HomographyMath.Shape(h, 50, 40, Corners);

        Assert.Equal(1.2, shape.ScaleFactor, 6);
        Assert.Equal(30, shape.RotationDegrees, 6);
        Assert.Equal(1.0, shape.Anisotropy, 6);
        Assert.False(shape.IsReflection);
        Assert.Equal(1.0, shape.PerspectiveRatio, 6);
    }

    [Fact]
    public void Shape_flags_a_mirror_and_shear()
    {
        double[] mirror = [-1, 0, 100, 0, 1, 0, 0, 0, 1];
        double[] shear = [1, 0.8, 0, 0, 1, 0, 0, 0, 1];

        Assert.True(HomographyMath.Shape(mirror, 50, 40, Corners).IsReflection);
        Assert.True(HomographyMath.Shape(shear, 50, 40, Corners).Anisotropy > 1.5);
    }

    [Fact]
    public void Rescale_moves_a_working_resolution_homography_to_full_resolution()
    {
        var full = new KnownWarp(10, 1, 8, 4, 0.03, 0, 1, 0).Homography(200, 160);
        // The same map between images downscaled by 0.5 on both sides.
        var work = HomographyMath.Rescale(full, 1 / 0.5, 1 / 0.5);

        var back = HomographyMath.Rescale(work, 0.5, 0.5);

        for (var k = 0; k < 9; k++)
        {
            Assert.Equal(full[k], back[k], 9);
        }
    }
}
