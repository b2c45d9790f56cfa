using OpenCvSharp;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Comparison;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Model;
using SmpVision.Pipeline.Synthetic;
using Xunit.Abstractions;

namespace SmpVision.Pipeline.Tests.Comparison;

/// <summary>A decoded generator frame with its truth as comparison inputs; owns its Mats.</summary>
internal sealed class TruthSide : IDisposable
{
    public TruthSide(SyntheticFrame frame)
    {
        var truth = frame.Truth;
        Image = ScalpImage.FromBgr(Cv2.ImDecode(frame.EncodedImage, ImreadModes.Color));
        Labels = new Mat(truth.HeightPixels, truth.WidthPixels, MatType.CV_8UC1);
        Labels.SetArray(truth.RegionLabels);
        HairMask = new Mat(truth.HeightPixels, truth.WidthPixels, MatType.CV_8UC1);
        HairMask.SetArray(truth.HairMask);
        Analysable = new Mat();
        Cv2.InRange(Labels, new Scalar((byte)RegionClass.OffScalp), new Scalar((byte)RegionClass.OffScalp), Analysable);
        Cv2.BitwiseNot(Analysable, Analysable);
        Hairs = truth.Hairs.Where((_, i) => truth.HairDetails[i].Counted).ToList();
        Units = truth.FollicularUnits.Where(u => truth.LabelAt(u.Centre.X, u.Centre.Y) != RegionClass.OffScalp).ToList();
        Scale = new Scale(truth.PixelsPerMillimetre, ScaleSource.Request, 0, "generator");
    }

    public ScalpImage Image { get; }
    public Mat Labels { get; }
    public Mat HairMask { get; }
    public Mat Analysable { get; }
    public IReadOnlyList<HairInstance> Hairs { get; }
    public IReadOnlyList<FollicularUnit> Units { get; }
    public Scale Scale { get; }

    private TruthSide(ScalpImage image, Mat labels, Mat hairMask, Mat analysable, IReadOnlyList<HairInstance> hairs, IReadOnlyList<FollicularUnit> units, Scale scale)
    {
        Image = image;
        Labels = labels;
        HairMask = hairMask;
        Analysable = analysable;
        Hairs = hairs;
        Units = units;
        Scale = scale;
    }

    /// <summary>The same visit seen through a known warp (new camera pose and exposure): pixels, masks and truth move together.</summary>
    public TruthSide Warped(KnownWarp warp)
    {
        var h = warp.Homography(Image.WidthPixels, Image.HeightPixels);
        using var hm = KnownWarp.ToMat(h);
        var size = new Size(Image.WidthPixels, Image.HeightPixels);
        var (image, valid) = warp.Apply(Image);
        using (valid)
        {
            var labels = new Mat();
            Cv2.WarpPerspective(Labels, labels, hm, size, InterpolationFlags.Nearest, BorderTypes.Constant, Scalar.All((byte)RegionClass.OffScalp));
            var hair = new Mat();
            Cv2.WarpPerspective(HairMask, hair, hm, size, InterpolationFlags.Nearest, BorderTypes.Constant, Scalar.All(0));
            var analysable = new Mat();
            Cv2.WarpPerspective(Analysable, analysable, hm, size, InterpolationFlags.Nearest, BorderTypes.Constant, Scalar.All(0));
            Cv2.BitwiseAnd(analysable, valid, analysable);
            PointPixels Map(PointPixels p) => HomographyMath.Apply(h, p.X, p.Y);
            var hairs = Hairs.Select(x => x with { Emergence = Map(x.Emergence), Tip = Map(x.Tip) }).ToList();
            var units = Units.Select(u => u with { Centre = Map(u.Centre) }).ToList();
            return new TruthSide(image, labels, hair, analysable, hairs, units, Scale);
        }
    }

    public ComparisonSide ToSide() => new(Image, Analysable, HairMask, Hairs, Units, Labels, Scale, Modality.Trichoscopy);

    public void Dispose()
    {
        Image.Dispose();
        Labels.Dispose();
        HairMask.Dispose();
        Analysable.Dispose();
    }
}

public sealed class GeneratedPairTests(ITestOutputHelper output)
{
    private const int Width = 640;
    private const int Height = 512;

    /// <summary>A thinning region on the left half (the change area), dense hair elsewhere; 60 px/mm so the frame holds ~0.9 cm2 and the region ~40 units.</summary>
    private static (SyntheticPair Pair, SyntheticShape Area) GeneratePair(int seed, double hairChangeFraction)
    {
        var area = SyntheticShape.Rectangle(0, 0, Width / 2.0, Height);
        var spec = new SyntheticTrichoscopySpec
        {
            WidthPixels = Width,
            HeightPixels = Height,
            PixelsPerMillimetre = 60,
            FollicularUnitsPerSquareCentimetre = 110,
            Regions = [SyntheticRegionSpec.Thinning(area, densityFactor: 0.8)],
        };
        var pair = SyntheticTrichoscopyGenerator.GeneratePair(spec, seed, new ChangeSpec { Area = area, HairChangeFraction = hairChangeFraction });
        return (pair, area);
    }

    [Theory]
    [InlineData(101, false)]
    [InlineData(202, true)]
    public void Generated_plus_twenty_percent_hairs_in_one_region_is_measured_within_three_points_with_true_hairs(int seed, bool warpAfter)
    {
        var (pair, _) = GeneratePair(seed, 0.2);
        using var before = new TruthSide(pair.Before);
        using var unwarped = new TruthSide(pair.After);
        var warp = ImageRegistrationTests.FollowUpWarp with { ShiftXPixels = 6, ShiftYPixels = -4 };
        using var after = warpAfter ? unwarped.Warped(warp) : new TruthSide(pair.After);
        var registration = ImageRegistration.Register(before.ToSide().ForRegistration(), after.ToSide().ForRegistration(), new RegistrationOptions(), CancellationToken.None);
        Assert.True(registration.Succeeded, registration.Message);

        var result = ChangeAnalysis.Compare(before.ToSide(), after.ToSide(), registration, new ChangeOptions(), CancellationToken.None);

        // The truth over the area both visits show: the warp moves part of the region out of the after frame.
        var (truthBefore, truthAfter) = TruthInCommonArea(before, unwarped, warpAfter ? warp : null, RegionClass.Thinning);
        var expected = (truthAfter - truthBefore) / (double)truthBefore;
        var thinning = Assert.Single(result.Regions, r => r.Region == RegionClass.Thinning);
        output.WriteLine($"seed {seed}: region truth {pair.Change.InsideArea.HairsBefore}->{pair.Change.InsideArea.HairsAfter} ({pair.Change.InsideArea.HairRelativeChange:P1}); common-area truth {truthBefore}->{truthAfter} ({expected:P1}); measured {thinning.Hairs.BeforeCount}->{thinning.Hairs.AfterCount} ({thinning.Hairs.RelativeChangeFraction:P1})");
        Assert.InRange(pair.Change.InsideArea.HairRelativeChange!.Value, 0.17, 0.23);
        Assert.InRange(thinning.Hairs.RelativeChangeFraction!.Value, expected - 0.03, expected + 0.03);
        if (!warpAfter)
        {
            Assert.InRange(thinning.Hairs.RelativeChangeFraction!.Value, pair.Change.InsideArea.HairRelativeChange!.Value - 0.03, pair.Change.InsideArea.HairRelativeChange!.Value + 0.03);
        }

        var bearing = Assert.Single(result.Regions, r => r.Region == RegionClass.HairBearing);
        Assert.InRange(bearing.Hairs.RelativeChangeFraction!.Value, -0.03, 0.03);
        Assert.Equal(truthAfter - truthBefore, thinning.Matching.GainedCount - thinning.Matching.LostCount);
    }

    /// <summary>True counted hairs of both visits (in before geometry) inside the region and the common analysable area.</summary>
    private static (int Before, int After) TruthInCommonArea(TruthSide before, TruthSide afterUnwarped, KnownWarp? warp, RegionClass region)
    {
        using var area = new Mat();
        Cv2.InRange(before.Labels, new Scalar((byte)region), new Scalar((byte)region), area);
        if (warp is not null)
        {
            // Before pixels whose warped position lies inside the after frame.
            var h = warp.Homography(Width, Height);
            using var hm = KnownWarp.ToMat(h);
            using var inv = KnownWarp.ToMat(HomographyMath.Invert(h)!);
            using var ones = new Mat(Height, Width, MatType.CV_8UC1, Scalar.All(255));
            using var inAfter = new Mat();
            Cv2.WarpPerspective(ones, inAfter, inv, new Size(Width, Height), InterpolationFlags.Nearest, BorderTypes.Constant, Scalar.All(0));
            Cv2.BitwiseAnd(area, inAfter, area);
        }

        int Count(IEnumerable<HairInstance> hairs) => hairs.Count(x =>
        {
            int px = (int)Math.Floor(x.Emergence.X), py = (int)Math.Floor(x.Emergence.Y);
            return px >= 0 && py >= 0 && px < Width && py < Height && area.At<byte>(py, px) != 0;
        });

        return (Count(before.Hairs), Count(afterUnwarped.Hairs));
    }

    [Fact]
    public void Two_generated_frames_of_different_seeds_are_refused()
    {
        var spec = new SyntheticTrichoscopySpec { WidthPixels = Width, HeightPixels = Height, PixelsPerMillimetre = 60, FollicularUnitsPerSquareCentimetre = 110 };
        using var before = new TruthSide(SyntheticTrichoscopyGenerator.Generate(spec, 303));
        using var after = new TruthSide(SyntheticTrichoscopyGenerator.Generate(spec, 404));

        var registration = ImageRegistration.Register(before.ToSide().ForRegistration(), after.ToSide().ForRegistration(), new RegistrationOptions(), CancellationToken.None);
        var result = ChangeAnalysis.Compare(before.ToSide(), after.ToSide(), registration, new ChangeOptions(), CancellationToken.None);

        Assert.False(registration.Succeeded);
        Assert.False(result.Compared);
    }

    /// <summary>
    /// End to end with the trichoscopy hair detector on a same-geometry pair. At this test's small
    /// scale (60 px/mm, chosen for speed) the detector finds about half the hairs, so the check is
    /// that the unchanged region stays unchanged and the changed one moves the right way; the
    /// numeric acceptance at full resolution is `eval-registration --synthetic-pairs`.
    /// </summary>
    [Theory]
    [InlineData(101, false)]
    public void End_to_end_with_hair_detection_measures_the_generated_change(int seed, bool warpAfter)
    {
        var (pair, _) = GeneratePair(seed, 0.2);
        using var beforeTruth = new TruthSide(pair.Before);
        using var afterUnwarped = new TruthSide(pair.After);
        var warp = ImageRegistrationTests.FollowUpWarp with { ShiftXPixels = 6, ShiftYPixels = -4 };
        using var afterTruth = warpAfter ? afterUnwarped.Warped(warp) : new TruthSide(pair.After);
        var options = new TrichoscopyOptions();
        using var beforeAnalysis = TrichoscopyAnalysis.Run(beforeTruth.Image, beforeTruth.Scale, options, CancellationToken.None);
        using var afterAnalysis = TrichoscopyAnalysis.Run(afterTruth.Image, afterTruth.Scale, options, CancellationToken.None);
        var before = ComparisonSide.FromTrichoscopy(beforeTruth.Image, beforeAnalysis, beforeTruth.Labels);
        var after = ComparisonSide.FromTrichoscopy(afterTruth.Image, afterAnalysis, afterTruth.Labels);

        var registration = ImageRegistration.Register(before.ForRegistration(), after.ForRegistration(), new RegistrationOptions(), CancellationToken.None);
        Assert.True(registration.Succeeded, registration.Message);
        var result = ChangeAnalysis.Compare(before, after, registration, new ChangeOptions(), CancellationToken.None);

        var (truthBefore, truthAfter) = TruthInCommonArea(beforeTruth, afterUnwarped, warpAfter ? warp : null, RegionClass.Thinning);
        var expected = (truthAfter - truthBefore) / (double)truthBefore;
        var thinning = Assert.Single(result.Regions, r => r.Region == RegionClass.Thinning);
        var bearing = Assert.Single(result.Regions, r => r.Region == RegionClass.HairBearing);
        output.WriteLine($"seed {seed} warp {warpAfter}: truth {truthBefore}->{truthAfter} ({expected:P1}); detected {thinning.Hairs.BeforeCount}->{thinning.Hairs.AfterCount} ({thinning.Hairs.RelativeChangeFraction:P1}); hair-bearing {bearing.Hairs.BeforeCount}->{bearing.Hairs.AfterCount} ({bearing.Hairs.RelativeChangeFraction:P1}); matched {thinning.Matching.MatchedCount} gained {thinning.Matching.GainedCount} lost {thinning.Matching.LostCount}");
        Assert.InRange(bearing.Hairs.RelativeChangeFraction!.Value, -0.03, 0.03);
        Assert.True(thinning.Hairs.Difference > 0, "the added hairs should raise the detected count");
        Assert.True(thinning.Matching.GainedCount > thinning.Matching.LostCount);
    }
}
