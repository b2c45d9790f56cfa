using OpenCvSharp;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Model;
using SmpVision.Pipeline.Overhead;
using SmpVision.Pipeline.Synthetic.Overhead;
using Xunit.Abstractions;

namespace SmpVision.Pipeline.Tests.Overhead;

/// <summary>
/// Overhead analysis on generated top-down heads with exact masks. Tolerance: bald fraction of
/// the scalp within 0.12 absolute of the truth. The coverage window (8% of the head) blurs the
/// bald/hair boundary by about half a window, and the synthetic bald edge is a hard ellipse, so
/// a few percent of scalp sits in the Thinning band on either side; 0.12 leaves room for that
/// plus head-mask error, and is still far tighter than one Norwood step (~0.15-0.2 of scalp).
/// </summary>
public sealed class OverheadAnalysisTests(ITestOutputHelper output)
{
    private const double BaldFractionTolerance = 0.12;

    /// <summary>
    /// Scenes that meet the tolerance and a head IoU above 0.85. Dark skin on a busy background is
    /// a known weakness and is not among them (a test pinned at what it achieves would pass while
    /// the target fails): GrabCut's head mask takes in background there (head IoU ~0.79) and the
    /// bald fraction reads ~0.2 low; <see cref="Dark_skin_on_a_busy_background_still_orders_bald_area"/>
    /// asserts what it does do.
    /// </summary>
    public static TheoryData<string, OverheadSceneSpec, double, double> Scenes => new()
    {
        { "light skin, dark hair, plain", new OverheadSceneSpec { Seed = 1, BaldRadiusFraction = 0.6 }, BaldFractionTolerance, 0.85 },
        { "light skin, grey hair, glare", new OverheadSceneSpec { Seed = 3, BaldRadiusFraction = 0.5, Hair = new LabColour(62, 0, 3), Glare = true, BackgroundColour = new LabColour(35, 10, 30) }, BaldFractionTolerance, 0.85 },
        { "tan skin, brown hair, busy, small bald", new OverheadSceneSpec { Seed = 4, BaldRadiusFraction = 0.35, Skin = new LabColour(58, 16, 24), Hair = new LabColour(28, 8, 14), Background = SceneBackground.Busy }, BaldFractionTolerance, 0.85 },
    };

    [Theory]
    [MemberData(nameof(Scenes))]
    public void Bald_fraction_matches_truth(string name, OverheadSceneSpec spec, double tolerance, double minHeadIou)
    {
        using var scene = OverheadSceneGenerator.Generate(spec);
        using var result = OverheadAnalysis.Run(scene.Image, new OverheadOptions(), CancellationToken.None);
        double iou = Iou(result.HeadMask, scene.HeadMask);
        output.WriteLine($"{name}: truth {scene.BaldFractionOfScalp:F3} measured {result.BaldFractionOfScalp:F3} thinning {result.ThinningFraction:F3} head IoU {iou:F3}; front {result.Front} detected {result.FrontDetected} conf {result.OrientationConfidence:F2} face {result.FaceFractionOfFrame:F3}");
        Assert.InRange(result.BaldFractionOfScalp, scene.BaldFractionOfScalp - tolerance, scene.BaldFractionOfScalp + tolerance);
        Assert.True(iou > minHeadIou, $"head IoU {iou:F3}");
        Assert.Equal(1.0, result.BaldFractionOfScalp + result.ThinningFraction + result.HairBearingFraction, 6);
    }

    [Fact]
    public void Dark_skin_on_a_busy_background_still_orders_bald_area()
    {
        double Bald(double radius)
        {
            using var scene = OverheadSceneGenerator.Generate(new OverheadSceneSpec { Seed = 2, BaldRadiusFraction = radius, Skin = new LabColour(42, 14, 22), Hair = new LabColour(12, 1, 1), Background = SceneBackground.Busy });
            using var result = OverheadAnalysis.Run(scene.Image, new OverheadOptions(), CancellationToken.None);
            output.WriteLine($"bald radius {radius}: truth {scene.BaldFractionOfScalp:F3} measured {result.BaldFractionOfScalp:F3}");
            return result.BaldFractionOfScalp;
        }

        var small = Bald(0.35);
        var large = Bald(0.7);
        Assert.True(large > small + 0.1, $"bald fraction {small:F3} at radius 0.35, {large:F3} at 0.7");
    }

    [Fact]
    public void Fully_bald_and_full_hair_are_told_apart()
    {
        using var bald = OverheadSceneGenerator.Generate(new OverheadSceneSpec { Seed = 5, BaldRadiusFraction = 2, Glare = true });
        using var hairy = OverheadSceneGenerator.Generate(new OverheadSceneSpec { Seed = 6, BaldRadiusFraction = 0 });
        using var baldResult = OverheadAnalysis.Run(bald.Image, new OverheadOptions(), CancellationToken.None);
        using var hairyResult = OverheadAnalysis.Run(hairy.Image, new OverheadOptions(), CancellationToken.None);
        output.WriteLine($"bald {baldResult.BaldFractionOfScalp:F3}, full hair {hairyResult.BaldFractionOfScalp:F3} (hair-bearing {hairyResult.HairBearingFraction:F3})");
        Assert.True(baldResult.BaldFractionOfScalp > 0.85);
        Assert.True(hairyResult.BaldFractionOfScalp < 0.1);
        Assert.True(hairyResult.HairBearingFraction > 0.8);
    }

    [Fact]
    public void Labels_cover_the_image_with_region_classes_and_zones_partition_the_scalp()
    {
        using var scene = OverheadSceneGenerator.Generate(new OverheadSceneSpec { Seed = 7, WidthPixels = 360, HeightPixels = 300 });
        using var result = OverheadAnalysis.Run(scene.Image, new OverheadOptions(), CancellationToken.None);
        Assert.Equal(scene.Image.WidthPixels, result.Labels.Cols);
        Assert.Equal(scene.Image.HeightPixels, result.Labels.Rows);
        result.Labels.GetArray(out byte[] labels);
        Assert.All(labels.Distinct(), v => Assert.Contains((RegionClass)v, new[] { RegionClass.HairBearing, RegionClass.Thinning, RegionClass.Hairless, RegionClass.OffScalp }));
        Assert.Equal(3, result.Zones.Count);
        Assert.Equal(1.0, result.Zones.Sum(z => z.AreaFractionOfScalp), 3);
        Assert.Contains(result.Timings, t => t.Stage == "hair-classification");
        // The bald crown sits toward the image top (the back of the head when the forehead is down).
        var vertex = result.Zones.Single(z => z.Zone == ScalpZone.Vertex);
        var frontal = result.Zones.Single(z => z.Zone == ScalpZone.Frontal);
        Assert.True(vertex.BaldFraction > frontal.BaldFraction);
    }

    [Fact]
    public void Marker_gives_a_scale_and_its_absence_is_flagged()
    {
        const int SidePixels = 60;
        using var withMarker = OverheadSceneGenerator.Generate(new OverheadSceneSpec { Seed = 8, WidthPixels = 480, HeightPixels = 480, HeadRadiusFraction = 0.28, MarkerSidePixels = SidePixels });
        var options = new OverheadOptions { Marker = new MarkerOptions { SideLengthMillimetres = 30 } };
        using var result = OverheadAnalysis.Run(withMarker.Image, options, CancellationToken.None);
        Assert.NotNull(result.Scale);
        Assert.Equal(ScaleSource.Marker, result.Scale!.Source);
        Assert.Equal(SidePixels / 30.0, result.Scale.PixelsPerMillimetre, 0.05 * SidePixels / 30.0);
        Assert.NotNull(result.ScalpAreaSquareCentimetres);
        Assert.DoesNotContain(result.Warnings, w => w.Code == "no-scale");

        using var without = OverheadSceneGenerator.Generate(new OverheadSceneSpec { Seed = 8 });
        using var plain = OverheadAnalysis.Run(without.Image, options, CancellationToken.None);
        Assert.Null(plain.Scale);
        Assert.Null(plain.BaldAreaSquareCentimetres);
        Assert.Contains(plain.Warnings, w => w.Code == "no-scale");
    }

    [Fact]
    public void Cancellation_is_honoured()
    {
        using var scene = OverheadSceneGenerator.Generate(new OverheadSceneSpec { Seed = 9, WidthPixels = 200, HeightPixels = 200 });
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => OverheadAnalysis.Run(scene.Image, new OverheadOptions(), cts.Token));
    }

    [Fact]
    public void Invalid_options_are_reported()
    {
        var bad = new OverheadOptions { ThinningMinCoverage = 0.6, HairBearingMinCoverage = 0.5, WorkingLongSidePixels = 10, Marker = new MarkerOptions { SideLengthMillimetres = -1 } };
        var errors = bad.Validate();
        Assert.Contains(errors, e => e.Contains(nameof(OverheadOptions.WorkingLongSidePixels), StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains(nameof(OverheadOptions.ThinningMinCoverage), StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains(nameof(MarkerOptions.SideLengthMillimetres), StringComparison.Ordinal));
        Assert.Empty(new OverheadOptions().Validate());
        using var scene = OverheadSceneGenerator.Generate(new OverheadSceneSpec { Seed = 10, WidthPixels = 120, HeightPixels = 120 });
        Assert.Throws<ArgumentException>(() => OverheadAnalysis.Run(scene.Image, bad, CancellationToken.None));
    }

    private static double Iou(Mat a, Mat b)
    {
        using var inter = new Mat();
        using var union = new Mat();
        Cv2.BitwiseAnd(a, b, inter);
        Cv2.BitwiseOr(a, b, union);
        return Cv2.CountNonZero(inter) / (double)Math.Max(1, Cv2.CountNonZero(union));
    }
}
