using OpenCvSharp;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Model;
using SmpVision.Pipeline.Regions;
using SmpVision.Pipeline.Synthetic;

namespace SmpVision.Pipeline.Tests.Regions;

/// <summary>
/// The floor on the in-image reference (<see cref="RegionOptions.MinInImageReferenceRelativeToFallback"/>):
/// a generated frame (512 x 410 px at 40 px/mm) that is thinning scalp throughout (0.4 of
/// 80 FU/cm2) holds no normal scalp, so its own density must not become the yardstick.
/// </summary>
public sealed class RegionReferenceFloorTests
{
    [Fact]
    public void Frame_of_thinning_scalp_only_is_called_thinning_with_a_warning()
    {
        var (thinning, map) = Segment(new RegionOptions());
        using (map)
        {
            Assert.Contains(map.Warnings, w => w.Code == "reference-floor");
            Assert.True(thinning > 0.7, $"thinning fraction {thinning:F3}");
        }

        // Without the floor the frame's own (thinning) density is the reference and only the noisy
        // low half of the field reads as thinning: the failure the floor fixes.
        var (thinningNoFloor, mapNoFloor) = Segment(new RegionOptions { MinInImageReferenceRelativeToFallback = 0 });
        using (mapNoFloor)
        {
            Assert.DoesNotContain(mapNoFloor.Warnings, w => w.Code == "reference-floor");
            Assert.True(thinningNoFloor < thinning - 0.2, $"thinning fraction {thinning:F3}, without floor {thinningNoFloor:F3}");
        }
    }

    [Fact]
    public void Floor_fraction_out_of_range_is_rejected()
    {
        Assert.NotEmpty(new RegionOptions { MinInImageReferenceRelativeToFallback = 1.5 }.Validate());
        Assert.Empty(new RegionOptions { MinInImageReferenceRelativeToFallback = 0 }.Validate());
    }

    private static (double ThinningFraction, RegionMap Map) Segment(RegionOptions options)
    {
        const int width = 512;
        const int height = 410;
        var spec = new SyntheticTrichoscopySpec
        {
            WidthPixels = width,
            HeightPixels = height,
            PixelsPerMillimetre = 40,
            FollicularUnitsPerSquareCentimetre = 80,
            Regions = [SyntheticRegionSpec.Thinning(SyntheticShape.Rectangle(-5, -5, width + 10, height + 10), 0.4)],
        };
        using var rendering = SyntheticTrichoscopyGenerator.Render(spec, 41);
        var truth = rendering.Truth;
        using var image = rendering.ToScalpImage();
        using var hairMask = new Mat(height, width, MatType.CV_8UC1);
        hairMask.SetArray(truth.HairMask);
        using var analysable = new Mat(height, width, MatType.CV_8UC1, Scalar.All(255));
        var map = RegionSegmentation.Run(image, analysable, hairMask, truth.Hairs, truth.FollicularUnits, new Scale(spec.PixelsPerMillimetre, ScaleSource.Request, 0, "test"), options, CancellationToken.None);
        return (map.Classes.First(c => c.Class == RegionClass.Thinning).AreaFraction, map);
    }
}
