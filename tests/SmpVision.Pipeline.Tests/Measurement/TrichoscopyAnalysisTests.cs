using OpenCvSharp;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Tests.Measurement;

public sealed class TrichoscopyAnalysisTests
{
    private const double PixelsPerMillimetre = 361;
    private static readonly Scale RequestScale = new(PixelsPerMillimetre, ScaleSource.Request, 0.05, "test");

    /// <summary>
    /// These drawn fixtures pin the classical detector's rules (shaft splitting, emergence ends,
    /// dye rejection); the learned default is tested through ORT in Detection/ and judged on real
    /// frames by eval-detector.
    /// </summary>
    private static readonly TrichoscopyOptions Classical = new() { Detector = new Pipeline.Detection.HairDetectorOptions { Kind = Pipeline.Detection.HairDetectorKind.Classical } };
    private static readonly Scalar LightSkin = new(170, 185, 215);
    private static readonly Scalar DarkHair = new(25, 30, 40);

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void Counts_separate_hairs_and_measures_width(int seed)
    {
        // 22 px at 361 px/mm = 61 um: a terminal shaft (docs/DOMAIN-SOURCES.md).
        var hairs = TrichoscopyFixture.RandomHairs(640, 512, seed, 8, 22);
        using var image = TrichoscopyFixture.Frame(640, 512, seed, hairs, LightSkin, DarkHair);
        using var result = TrichoscopyAnalysis.Run(image, RequestScale, Classical, CancellationToken.None);
        Assert.Equal(8, result.Density.VisibleHairCount);
        Assert.Equal(8, result.Density.HairCount);
        Assert.Equal(8, result.Density.FollicularUnitCount);
        var width = result.Density.MeanShaftWidthMicrometres;
        Assert.NotNull(width);
        Assert.InRange(width.Value, 61 * 0.85, 61 * 1.15);
        Assert.Equal(1.0, result.Density.TerminalFraction!.Value + result.Density.IntermediateFraction!.Value, 6);
    }

    [Fact]
    public void Finds_the_emergence_end_beside_the_sub_surface_shaft()
    {
        var hairs = TrichoscopyFixture.RandomHairs(640, 512, 21, 6, 22);
        using var image = TrichoscopyFixture.Frame(640, 512, 21, hairs, LightSkin, DarkHair);
        using var result = TrichoscopyAnalysis.Run(image, RequestScale, Classical, CancellationToken.None);
        int near = 0;
        foreach (var truth in hairs)
        {
            var found = result.Hairs.MinBy(h => Distance(h.Emergence, truth.Emergence));
            if (found is not null && Distance(found.Emergence, truth.Emergence) < 30)
            {
                near++;
            }
        }

        Assert.True(near >= 5, $"only {near} of 6 emergence points found at the opening");
    }

    [Fact]
    public void Splits_two_touching_shafts_of_one_follicular_unit()
    {
        var pair = new List<FixtureHair>
        {
            new(new Point2d(200, 150), 45, 200, 22),
            new(new Point2d(218, 132), 45, 200, 22),
            new(new Point2d(450, 150), 60, 180, 22),
        };
        using var image = TrichoscopyFixture.Frame(640, 512, 31, pair, LightSkin, DarkHair);
        using var result = TrichoscopyAnalysis.Run(image, RequestScale, Classical, CancellationToken.None);
        Assert.True(3 == result.Density.VisibleHairCount, string.Join("; ", result.Hairs.Select(h => $"{h.Emergence} w{h.WidthPixels:F1} ref{result.ReferenceShaftWidthPixels:F1}")));
        Assert.Equal(2, result.Density.FollicularUnitCount);
        Assert.Equal([1, 1, 0, 0, 0], result.Density.HairsPerFollicularUnitHistogram);
    }

    [Fact]
    public void Without_scale_reports_counts_but_no_physical_values()
    {
        var hairs = TrichoscopyFixture.RandomHairs(480, 384, 41, 5, 22);
        using var image = TrichoscopyFixture.Frame(480, 384, 41, hairs, LightSkin, DarkHair);
        using var result = TrichoscopyAnalysis.Run(image, null, Classical, CancellationToken.None);
        Assert.Null(result.Scale);
        Assert.Equal(5, result.Density.VisibleHairCount);
        Assert.Null(result.Density.HairsPerSquareCentimetre);
        Assert.Null(result.Density.AnalysableAreaSquareMillimetres);
        Assert.Null(result.Density.MeanShaftWidthMicrometres);
        Assert.All(result.Hairs, h => Assert.Equal(HairWidthClass.Unknown, h.WidthClass));
        Assert.Contains(result.Warnings, w => w.Code == "no-scale");
    }

    [Fact]
    public void Reports_density_with_error_timings_colour_and_quality()
    {
        var hairs = TrichoscopyFixture.RandomHairs(640, 512, 51, 8, 22);
        using var image = TrichoscopyFixture.Frame(640, 512, 51, hairs, LightSkin, DarkHair);
        using var result = TrichoscopyAnalysis.Run(image, RequestScale, Classical, CancellationToken.None);
        double areaCm2 = 640.0 * 512 / (PixelsPerMillimetre * PixelsPerMillimetre) / 100;
        Assert.Equal(8 / areaCm2, result.Density.HairsPerSquareCentimetre!.Value, 6);
        double rel = Math.Sqrt((1.0 / 8) + (4 * 0.05 * 0.05));
        Assert.Equal(8 / areaCm2 * rel, result.Density.HairsPerSquareCentimetreStandardError!.Value, 6);
        Assert.Equal(
            ["field-mask", "scale", "hair-detection", "density", "colour", "quality"],
            result.Timings.Select(t => t.Stage).ToArray());
        Assert.NotNull(result.Colour.Skin);
        Assert.NotNull(result.Colour.Hair);
        Assert.False(result.Colour.Calibrated);
        Assert.True(result.Colour.HairSkinLightnessDifference > 30);
        Assert.InRange(result.Quality.Confidence, 0, 1);
        Assert.InRange(result.Density.HairCoverageFraction, 0.01, 0.2);
        var h0 = hairs[0];
        double a = h0.AngleDegrees * Math.PI / 180;
        int mx = (int)(h0.Emergence.X + (0.5 * h0.LengthPixels * Math.Cos(a)));
        int my = (int)(h0.Emergence.Y + (0.5 * h0.LengthPixels * Math.Sin(a)));
        Assert.Equal(255, result.HairMask.At<byte>(my, mx));
    }

    [Fact]
    public void Blue_marker_dye_is_not_hair()
    {
        using var img = TrichoscopyFixture.Skin(480, 384, 61, LightSkin);
        Cv2.Line(img, new Point(100, 100), new Point(260, 220), new Scalar(200, 90, 60), 24);
        Cv2.Circle(img, new Point(350, 280), 30, new Scalar(190, 80, 50), -1);
        using var image = Pipeline.Imaging.ScalpImage.FromBgr(img);
        using var result = TrichoscopyAnalysis.Run(image, RequestScale, Classical, CancellationToken.None);
        Assert.Equal(0, result.Density.VisibleHairCount);
    }

    [Fact]
    public void Counts_hairs_on_dark_skin()
    {
        var hairs = TrichoscopyFixture.RandomHairs(640, 512, 71, 8, 22);
        using var image = TrichoscopyFixture.Frame(640, 512, 71, hairs, new Scalar(60, 80, 110), new Scalar(12, 14, 18));
        using var result = TrichoscopyAnalysis.Run(image, RequestScale, Classical, CancellationToken.None);
        Assert.Equal(8, result.Density.VisibleHairCount);
        Assert.True(result.Colour.IndividualTypologyAngleDegrees < 10);
    }

    [Fact]
    public void Honours_cancellation_and_rejects_invalid_options()
    {
        using var image = TrichoscopyFixture.Frame(160, 128, 1, [], LightSkin, DarkHair);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => TrichoscopyAnalysis.Run(image, RequestScale, Classical, cts.Token));
        var bad = Classical with { HairInstances = new HairInstanceOptions { SplitWidthRatio = 5 } };
        Assert.Throws<ArgumentException>(() => TrichoscopyAnalysis.Run(image, RequestScale, bad, CancellationToken.None));
    }

    [Fact]
    public void Zero_hairs_give_zero_density_with_a_bounded_error()
    {
        using var image = TrichoscopyFixture.Frame(320, 256, 2, [], LightSkin, DarkHair);
        using var result = TrichoscopyAnalysis.Run(image, RequestScale, Classical, CancellationToken.None);
        Assert.Equal(0, result.Density.HairCount);
        Assert.Equal(0, result.Density.HairsPerSquareCentimetre);
        Assert.True(result.Density.HairsPerSquareCentimetreStandardError > 0);
        Assert.Null(result.Density.MeanHairsPerFollicularUnit);
    }

    private static double Distance(PointPixels a, Point2d b) => Math.Sqrt(((a.X - b.X) * (a.X - b.X)) + ((a.Y - b.Y) * (a.Y - b.Y)));
}
