using OpenCvSharp;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Comparison;
using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Tests.Comparison;

public sealed class ChangeAnalysisTests
{
    private static readonly Scale TestScale = new(100, ScaleSource.Request, 0, "test: 100 px/mm");

    private static (SyntheticVisit Before, SyntheticVisit After) Pair(IReadOnlyList<SceneHair> beforeHairs, IReadOnlyList<SceneHair> afterHairs, int textureSeed = 11) =>
        (SyntheticScalpFixture.Render(textureSeed, beforeHairs, warp: null), SyntheticScalpFixture.Render(textureSeed, afterHairs, ImageRegistrationTests.FollowUpWarp));

    private static ChangeResult Run(SyntheticVisit before, SyntheticVisit after, Scale? scale = null, bool withLabels = true)
    {
        var b = before.ToSide(scale, withLabels);
        var a = after.ToSide(scale, withLabels);
        var registration = ImageRegistration.Register(b.ForRegistration(), a.ForRegistration(), new RegistrationOptions(), CancellationToken.None);
        Assert.True(registration.Succeeded, registration.Message);
        return ChangeAnalysis.Compare(b, a, registration, new ChangeOptions(), CancellationToken.None);
    }

    [Fact]
    public void Measures_plus_twenty_percent_hairs_in_one_region_within_three_points()
    {
        var left = SyntheticScalpFixture.Hairs(seed: 1, count: 40, 70, 220);
        var right = SyntheticScalpFixture.Hairs(seed: 2, count: 40, 260, 410);
        var extraLeft = SyntheticScalpFixture.Hairs(seed: 4, count: 8, 70, 220);
        var (before, after) = Pair([.. left, .. right], [.. left, .. extraLeft, .. right]);
        using (before)
        using (after)
        {
            var result = Run(before, after, TestScale);

            Assert.True(result.Compared, result.Message);
            var thinning = Assert.Single(result.Regions, r => r.Region == RegionClass.Thinning);
            var bearing = Assert.Single(result.Regions, r => r.Region == RegionClass.HairBearing);
            Assert.InRange(thinning.Hairs.RelativeChangeFraction!.Value, 0.17, 0.23);
            Assert.InRange(bearing.Hairs.RelativeChangeFraction!.Value, -0.03, 0.03);
            Assert.InRange(result.Overall!.Hairs.RelativeChangeFraction!.Value, 0.07, 0.13);

            // Poisson noise of 40 vs 48 independent counts does not call +20% (z ~ 0.85) ...
            Assert.Equal(ChangeSignificance.NoSignificantChange, thinning.Hairs.Significance);
            Assert.Equal(Math.Sqrt(40 + 48), thinning.Hairs.DifferenceStandardErrorCount, 9);
            // ... but matching the same hairs across visits does: 8 gained, none lost.
            Assert.Equal(8, thinning.Matching.GainedCount);
            Assert.Equal(0, thinning.Matching.LostCount);
            Assert.Equal(40, thinning.Matching.MatchedCount);
            Assert.Equal(ChangeSignificance.Increase, thinning.Matching.Significance);
            Assert.Equal(ChangeSignificance.NoSignificantChange, bearing.Matching.Significance);

            Assert.True(thinning.Coverage.ChangeAreaFraction > 0);
            Assert.NotNull(thinning.Hairs.ChangePerSquareCentimetre);
        }
    }

    [Fact]
    public void Same_scene_twice_reports_no_change_and_a_change_map_on_the_before_geometry()
    {
        var hairs = SyntheticScalpFixture.Hairs(seed: 12, count: 50, 70, 410);
        var (before, after) = Pair(hairs, hairs);
        using (before)
        using (after)
        {
            var result = Run(before, after, TestScale);

            var overall = result.Overall!;
            Assert.Equal(0, overall.Hairs.Difference);
            Assert.Equal(ChangeSignificance.NoSignificantChange, overall.Hairs.Significance);
            Assert.Equal(50, overall.Matching.MatchedCount);
            Assert.InRange(overall.Coverage.ChangeAreaFraction, -0.005, 0.005);
            Assert.InRange(overall.BaldArea!.ChangeAreaFraction, -0.005, 0.005);

            using var map = Cv2.ImDecode(result.ChangeMapPng!, ImreadModes.Color);
            Assert.Equal(SyntheticScalpFixture.Width, map.Cols);
            Assert.Equal(SyntheticScalpFixture.Height, map.Rows);
            Assert.Equal(4, result.Legend.Count);
        }
    }

    [Fact]
    public void Losing_a_region_s_hair_is_a_significant_decrease_with_more_bald_area()
    {
        var left = SyntheticScalpFixture.Hairs(seed: 21, count: 30, 70, 220);
        var right = SyntheticScalpFixture.Hairs(seed: 22, count: 30, 260, 410);
        var (before, after) = Pair([.. left, .. right], left);
        using (before)
        using (after)
        {
            // Without labels the bald area comes from the distance to the nearest hair (needs the scale).
            var result = Run(before, after, TestScale, withLabels: false);

            Assert.Empty(result.Regions);
            var overall = result.Overall!;
            Assert.Equal(-30, overall.Hairs.Difference);
            Assert.Equal(ChangeSignificance.Decrease, overall.Hairs.Significance);
            Assert.Equal(30, overall.Matching.LostCount);
            Assert.True(overall.Coverage.ChangeAreaFraction < 0);
            Assert.True(overall.BaldArea!.ChangeAreaFraction > 0.05, $"bald change {overall.BaldArea.ChangeAreaFraction:F3}");
            Assert.True(overall.BaldArea.ChangeAreaSquareMillimetres > 0);
        }
    }

    [Fact]
    public void Without_a_scale_reports_counts_and_fractions_only()
    {
        var hairs = SyntheticScalpFixture.Hairs(seed: 31, count: 30, 70, 410);
        var (before, after) = Pair(hairs, hairs);
        using (before)
        using (after)
        {
            var result = Run(before, after, scale: null, withLabels: false);

            Assert.Null(result.CommonAreaSquareMillimetres);
            Assert.Null(result.Overall!.Hairs.BeforePerSquareCentimetre);
            Assert.Null(result.Overall.Coverage.BeforeAreaSquareMillimetres);
            Assert.Null(result.Overall.BaldArea);
            Assert.Contains(result.Warnings, w => w.Code == "no-scale");
            Assert.Contains(result.Warnings, w => w.Code == "bald-area-not-measured");
        }
    }

    [Fact]
    public void Low_hair_count_is_warned_on_trichoscopy_but_not_on_overhead_pairs()
    {
        var hairs = SyntheticScalpFixture.Hairs(seed: 42, count: 4, 70, 410);
        using var frame = SyntheticScalpFixture.Render(91, hairs, warp: null);
        var trichoscopy = ChangeAnalysis.RegisterAndCompare(frame.ToSide(), frame.ToSide(), new RegistrationOptions(), new ChangeOptions(), CancellationToken.None);
        Assert.Contains(trichoscopy.Warnings, w => w.Code == "low-count");

        // Overhead photos count no hairs: a hair-count warning would always fire there.
        var none = frame.ToSide() with { Modality = Modality.Overhead, Hairs = [], Units = [] };
        var overhead = ChangeAnalysis.RegisterAndCompare(none, none, new RegistrationOptions(), new ChangeOptions(), CancellationToken.None);
        Assert.True(overhead.Compared, overhead.Registration.Message);
        Assert.DoesNotContain(overhead.Warnings, w => w.Code == "low-count");
    }

    [Fact]
    public void Register_and_compare_refuses_different_modalities()
    {
        var hairs = SyntheticScalpFixture.Hairs(seed: 42, count: 10, 70, 410);
        using var frame = SyntheticScalpFixture.Render(91, hairs, warp: null);

        var result = ChangeAnalysis.RegisterAndCompare(frame.ToSide(), frame.ToSide() with { Modality = Modality.Overhead }, new RegistrationOptions(), new ChangeOptions(), CancellationToken.None);

        Assert.False(result.Compared);
        Assert.Equal(RegistrationRefusal.ModalityMismatch, result.Registration.Refusal);
    }

    [Fact]
    public void Refused_registration_compares_nothing()
    {
        var hairs = SyntheticScalpFixture.Hairs(seed: 41, count: 20, 70, 410);
        using var before = SyntheticScalpFixture.Render(71, hairs, warp: null);
        using var after = SyntheticScalpFixture.Render(72, hairs, warp: null);
        var refused = RegistrationResult.Refused(RegistrationRefusal.TooFewInliers, RegistrationMethod.FeatureHomography, "different areas", []);

        var result = ChangeAnalysis.Compare(before.ToSide(), after.ToSide(), refused, new ChangeOptions(), CancellationToken.None);

        Assert.False(result.Compared);
        Assert.Null(result.Overall);
        Assert.Null(result.ChangeMapPng);
        Assert.Contains("different areas", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_masks_of_the_wrong_size()
    {
        var hairs = SyntheticScalpFixture.Hairs(seed: 51, count: 5, 70, 410);
        using var frame = SyntheticScalpFixture.Render(81, hairs, warp: null);
        using var small = new Mat(10, 10, MatType.CV_8UC1, Scalar.All(255));
        var side = frame.ToSide() with { AnalysableMask = small };
        var identity = new RegistrationResult(true, RegistrationMethod.FeatureHomography, RegistrationRefusal.None, "", HomographyMath.Identity(), 0, 0, 0, 0, null, 1, 0, 1, 1, 1, []);

        Assert.Throws<ArgumentException>(() => ChangeAnalysis.Compare(side, frame.ToSide(), identity, new ChangeOptions(), CancellationToken.None));
    }

    [Theory]
    [InlineData(100, 120, ChangeSignificance.NoSignificantChange)]
    [InlineData(100, 150, ChangeSignificance.Increase)]
    [InlineData(100, 60, ChangeSignificance.Decrease)]
    [InlineData(0, 0, ChangeSignificance.NoSignificantChange)]
    public void Count_change_carries_poisson_noise(int before, int after, ChangeSignificance expected)
    {
        // 1e6 px at 100 px/mm = 100 mm2 = 1 cm2, so densities equal counts.
        var change = ChangeAnalysis.Count(before, after, 1_000_000, TestScale, 1.96);

        Assert.Equal(expected, change.Significance);
        Assert.Equal(Math.Sqrt(before + after), change.DifferenceStandardErrorCount, 9);
        Assert.Equal(after - before, change.ChangePerSquareCentimetre!.Value, 9);
        if (before == 0)
        {
            Assert.Null(change.RelativeChangeFraction);
        }
        else
        {
            Assert.Equal((after - before) / (double)before, change.RelativeChangeFraction!.Value, 9);
        }
    }

    [Fact]
    public void Hair_matching_is_one_to_one()
    {
        static Shaft S(double x, double y) => new(new PointPixels(x, y), new PointPixels(x + 20, y));
        List<Shaft> before = [S(10, 10), S(12, 10), S(50, 50)];
        List<Shaft> after = [S(11, 10), S(80, 80)];

        var summary = ChangeAnalysis.Match(before, after, 5, 1.96);

        Assert.Equal(1, summary.MatchedCount);
        Assert.Equal(2, summary.LostCount);
        Assert.Equal(1, summary.GainedCount);
    }

    [Fact]
    public void Hair_matching_accepts_a_shaft_whose_ends_were_swapped()
    {
        List<Shaft> before = [new(new PointPixels(10, 10), new PointPixels(40, 10))];
        List<Shaft> after = [new(new PointPixels(41, 11), new PointPixels(11, 10))];

        Assert.Equal(1, ChangeAnalysis.Match(before, after, 3, 1.96).MatchedCount);
    }

    [Fact]
    public void Rejects_invalid_options()
    {
        Assert.Empty(new ChangeOptions().Validate());
        Assert.Equal(2, new ChangeOptions { SignificanceZ = 0, BaldRadiusMillimetres = -1 }.Validate().Count);
    }
}
