using OpenCvSharp;
using SmpVision.Pipeline.Comparison;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Tests.Comparison;

public sealed class DifferentialChangeTests
{
    private const int Size = 240;
    private const double PixelsPerMillimetre = 200; // 250 um = 50 px
    private const double ShaftWidthPixels = 6;

    /// <summary>Skin-coloured frame with deterministic pixel noise (sigma ~2 grey levels).</summary>
    private static Mat Skin(int seed)
    {
        int[] bgr = [150, 170, 200];
        var rng = new Random(seed);
        var bytes = new byte[Size * Size * 3];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)(bgr[i % 3] + Math.Round((rng.NextDouble() + rng.NextDouble() + rng.NextDouble() - 1.5) * 4));
        }

        using var flat = new Mat(Size, Size * 3, MatType.CV_8UC1);
        flat.SetArray(bytes);
        using var skin = flat.Reshape(3);
        return skin.Clone();
    }

    private static void Shaft(Mat image, Mat? mask, Point a, Point b)
    {
        Cv2.Line(image, a, b, new Scalar(40, 50, 60), (int)ShaftWidthPixels, LineTypes.AntiAlias);
        if (mask is not null)
        {
            Cv2.Line(mask, a, b, Scalar.All(255), (int)ShaftWidthPixels);
        }
    }

    private static HairInstance Hair(int id, Point a, Point b) =>
        new(id, new PointPixels(a.X, a.Y), new PointPixels(b.X, b.Y), Math.Sqrt(((b.X - a.X) * (b.X - a.X)) + ((b.Y - a.Y) * (b.Y - a.Y))), ShaftWidthPixels, id, false) { CountedInDensity = true };

    private static DifferentialEvidence Find(Mat before, Mat after, Mat beforeHair, Mat afterHair, IReadOnlyList<HairInstance> beforeUnpaired, IReadOnlyList<HairInstance> afterUnpaired)
    {
        using var compared = new Mat(Size, Size, MatType.CV_8UC1, Scalar.All(255));
        return DifferentialChange.Find(before, after, compared, beforeHair, afterHair, beforeUnpaired, afterUnpaired, PixelsPerMillimetre, ShaftWidthPixels, new DifferentialChangeOptions(), CancellationToken.None);
    }

    [Fact]
    public void A_new_shaft_beside_an_old_one_is_found_and_unchanged_skin_is_not()
    {
        using var before = Skin(1);
        using var beforeHair = new Mat(Size, Size, MatType.CV_8UC1, Scalar.All(0));
        Shaft(before, beforeHair, new Point(40, 40), new Point(40, 200));
        using var after = Skin(2);
        using var afterHair = new Mat(Size, Size, MatType.CV_8UC1, Scalar.All(0));
        Shaft(after, afterHair, new Point(40, 40), new Point(40, 200));
        // The new hair leaves the same opening and runs close beside the old one; the detector
        // merged it (no instance of its own), so nothing explains it.
        Shaft(after, afterHair, new Point(46, 40), new Point(70, 200));

        var evidence = Find(before, after, beforeHair, afterHair, [], []);

        var gained = Assert.Single(evidence.Shafts, s => s.Gained);
        Assert.DoesNotContain(evidence.Shafts, s => !s.Gained);
        Assert.Equal(1, gained.UnexplainedCount);
        Assert.InRange(gained.LengthPixels, 100, 175);
        Assert.InRange(evidence.NoiseSigmaLightness, 0.1, 3.0);
    }

    [Fact]
    public void A_detection_on_one_visit_of_an_unchanged_shaft_is_not_a_change_and_a_new_one_is()
    {
        using var before = Skin(3);
        using var beforeHair = new Mat(Size, Size, MatType.CV_8UC1, Scalar.All(0));
        Shaft(before, beforeHair, new Point(60, 30), new Point(60, 200));
        using var after = Skin(4);
        using var afterHair = new Mat(Size, Size, MatType.CV_8UC1, Scalar.All(0));
        Shaft(after, afterHair, new Point(60, 30), new Point(60, 200));
        Shaft(after, afterHair, new Point(160, 30), new Point(180, 200));
        // After-only detections: the old shaft (the before detection missed it) and the new one.
        HairInstance[] afterOnly = [Hair(0, new Point(60, 30), new Point(60, 200)), Hair(1, new Point(160, 30), new Point(180, 200))];

        var evidence = Find(before, after, beforeHair, afterHair, [], afterOnly);

        Assert.Equal([false, true], evidence.AfterUnpairedSupported);
        var gained = Assert.Single(evidence.Shafts, s => s.Gained);
        Assert.Equal(0, gained.UnexplainedCount);
    }

    [Fact]
    public void Identical_visits_show_no_change()
    {
        using var before = Skin(5);
        using var hair = new Mat(Size, Size, MatType.CV_8UC1, Scalar.All(0));
        Shaft(before, hair, new Point(30, 30), new Point(200, 180));
        using var after = before.Clone();
        HairInstance[] one = [Hair(0, new Point(30, 30), new Point(200, 180))];

        var evidence = Find(before, after, hair, hair, one, one);

        Assert.Empty(evidence.Shafts);
        Assert.Equal([false], evidence.BeforeUnpairedSupported);
        Assert.Equal([false], evidence.AfterUnpairedSupported);
    }

    [Fact]
    public void Two_shafts_side_by_side_in_one_region_count_as_two()
    {
        var points = new List<Point>();
        for (var y = 0; y < 80; y++)
        {
            for (var x = 0; x < 4; x++)
            {
                points.Add(new Point(x, y));
                points.Add(new Point(x + 8, y));
            }
        }

        Assert.Equal(2, DifferentialChange.ShaftsAcross(points, [], new Point2f(6, 40), 0, 1, 0.4));
        Assert.Equal(1, DifferentialChange.ShaftsAcross(points.Where(p => p.X < 4).ToList(), [], new Point2f(2, 40), 0, 1, 0.4));
    }

    [Fact]
    public void Invalid_differential_options_are_reported_through_the_change_options()
    {
        var errors = new ChangeOptions { Differential = new DifferentialChangeOptions { ThresholdNoiseSigmas = 0, MinElongation = 0.5 } }.Validate();

        Assert.Contains(errors, e => e.Contains("Differential.ThresholdNoiseSigmas", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Differential.MinElongation", StringComparison.Ordinal));
        Assert.Empty(new DifferentialChangeOptions().Validate());
    }
}
