using OpenCvSharp;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Segmentation;

namespace SmpVision.Pipeline.Tests.Measurement;

/// <summary>
/// <see cref="HairInstanceOptions.TrackOpeningsAtSustainedCount"/>: a region of two touching
/// shafts from different openings (two units at high density) gives each hair its own opening.
/// </summary>
public sealed class HairTrackOpeningTests
{
    private const int Width = 400;
    private const int Height = 200;

    /// <summary>
    /// Shaft 1 leaves (40,90) and runs right to x=330; shaft 2 leaves (120,116), 80 px (440 um at
    /// 180 px/mm) further along, and runs beside it until their tips touch near x=330. Shafts
    /// 13 px (72 um) wide, flat grey: the region counts two shafts.
    /// </summary>
    private static HairExtraction Extract(HairInstanceOptions options)
    {
        var mask = new Mat(Height, Width, MatType.CV_8UC1, Scalar.All(0));
        Cv2.Line(mask, new Point(40, 90), new Point(330, 90), Scalar.All(255), 13, LineTypes.Link8);
        Cv2.Line(mask, new Point(120, 116), new Point(330, 100), Scalar.All(255), 13, LineTypes.Link8);
        using var labels = new Mat();
        Assert.Equal(2, Cv2.ConnectedComponents(mask, labels, PixelConnectivity.Connectivity8));
        using var seg = new HairSegmentation(
            mask,
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
    public void Two_touching_shafts_from_different_openings_keep_their_own_openings()
    {
        var result = Extract(new HairInstanceOptions());
        Assert.Equal(2, result.Hairs.Count);
        Assert.Equal(2, result.FollicularUnits.Count);
        Assert.Single(result.Hairs, h => Math.Abs(h.Emergence.X - 40) < 20);
        Assert.Single(result.Hairs, h => Math.Abs(h.Emergence.X - 120) < 20);
    }

    [Fact]
    public void Without_it_both_hairs_share_the_region_opening()
    {
        var result = Extract(new HairInstanceOptions { TrackOpeningsAtSustainedCount = false });
        Assert.Equal(2, result.Hairs.Count);
        Assert.Single(result.FollicularUnits);
    }
}
