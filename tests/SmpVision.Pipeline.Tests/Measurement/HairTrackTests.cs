using OpenCvSharp;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Segmentation;

namespace SmpVision.Pipeline.Tests.Measurement;

/// <summary>
/// Shaft tracking in <see cref="HairInstanceExtractor"/>: at high density one unit's shafts touch
/// the next unit's, so one mask region holds several units offset along the hair direction.
/// </summary>
public sealed class HairTrackTests
{
    private const int Width = 420;
    private const int Height = 200;

    /// <summary>
    /// Unit A: two shafts leaving (40,100) and diverging to x=230; unit B: two shafts leaving
    /// (200,100), between A's tips and touching them, diverging to x=390. Shafts 13 px (72 um at
    /// 180 px/mm) wide. Grey is flat, so the opening end is where the shafts converge.
    /// </summary>
    private static Mat TwoUnitsInLine()
    {
        var mask = new Mat(Height, Width, MatType.CV_8UC1, Scalar.All(0));
        foreach (var (from, to) in new[]
        {
            (new Point(40, 100), new Point(230, 83)),
            (new Point(40, 100), new Point(230, 117)),
            (new Point(200, 100), new Point(390, 83)),
            (new Point(200, 100), new Point(390, 117)),
        })
        {
            Cv2.Line(mask, from, to, Scalar.All(255), 13, LineTypes.Link8);
        }

        return mask;
    }

    private static HairExtraction Extract(Mat mask, HairInstanceOptions options)
    {
        using var seg = new HairSegmentation(
            mask.Clone(),
            new Mat(Height, Width, MatType.CV_8UC1, Scalar.All(0)),
            new Mat(Height, Width, MatType.CV_8UC1, Scalar.All(128)),
            new Mat(Height, Width, MatType.CV_8UC1, Scalar.All(255)),
            1.0,
            new Mat(Height, Width, MatType.CV_8UC3, Scalar.All(128)));
        using var analysable = new Mat(Height, Width, MatType.CV_8UC1, Scalar.All(255));
        var scale = new Scale(180, ScaleSource.Request, 0.01, "test");
        return HairInstanceExtractor.Extract(seg, analysable, scale, 180, options, CancellationToken.None);
    }

    [Fact]
    public void Two_units_touching_in_one_region_read_as_four_hairs_in_two_units()
    {
        using var mask = TwoUnitsInLine();
        using var labels = new Mat();
        Assert.Equal(2, Cv2.ConnectedComponents(mask, labels, PixelConnectivity.Connectivity8)); // one region

        var result = Extract(mask, new HairInstanceOptions());
        Assert.Equal(4, result.Hairs.Count);
        Assert.Equal(2, result.FollicularUnits.Count);
        // Two openings near each unit's real one.
        Assert.Equal(2, result.Hairs.Count(h => Math.Abs(h.Emergence.X - 40) < 25));
        Assert.Equal(2, result.Hairs.Count(h => Math.Abs(h.Emergence.X - 200) < 25));
    }

    [Fact]
    public void Without_tracking_the_region_holds_only_its_sustained_count()
    {
        using var mask = TwoUnitsInLine();
        var result = Extract(mask, new HairInstanceOptions { TrackMinShaftWidths = 0 });
        Assert.True(result.Hairs.Count < 4, $"{result.Hairs.Count} hairs");
    }

    [Fact]
    public void A_single_unit_of_diverging_shafts_keeps_one_opening()
    {
        using var mask = new Mat(Height, Width, MatType.CV_8UC1, Scalar.All(0));
        Cv2.Line(mask, new Point(40, 100), new Point(300, 70), Scalar.All(255), 13, LineTypes.Link8);
        Cv2.Line(mask, new Point(40, 100), new Point(300, 130), Scalar.All(255), 13, LineTypes.Link8);
        var result = Extract(mask, new HairInstanceOptions());
        Assert.Equal(2, result.Hairs.Count);
        Assert.Single(result.FollicularUnits);
    }
}
