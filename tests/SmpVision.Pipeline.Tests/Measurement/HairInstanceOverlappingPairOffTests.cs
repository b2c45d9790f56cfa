using OpenCvSharp;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Segmentation;

namespace SmpVision.Pipeline.Tests.Measurement;

/// <summary>
/// tri23: <see cref="HairInstanceOptions.OverlappingPairWidthRatio"/> = 0 turns the overlapping-pair
/// rule off as its doc says (before, a zero ratio made every single-run region a pair).
/// </summary>
public sealed class HairInstanceOverlappingPairOffTests
{
    private const int Width = 360;
    private const int Height = 160;

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

    /// <summary>Two separate straight shafts, 13 px (72 um at 180 px/mm) wide: one hair each.</summary>
    private static Mat TwoSingleShafts()
    {
        var mask = new Mat(Height, Width, MatType.CV_8UC1, Scalar.All(0));
        Cv2.Line(mask, new Point(40, 50), new Point(300, 40), Scalar.All(255), 13, LineTypes.Link8);
        Cv2.Line(mask, new Point(40, 120), new Point(300, 110), Scalar.All(255), 13, LineTypes.Link8);
        return mask;
    }

    [Fact]
    public void Zero_ratio_turns_the_pair_rule_off_and_single_shafts_stay_single()
    {
        using var mask = TwoSingleShafts();
        var off = Extract(mask, new HairInstanceOptions { OverlappingPairWidthRatio = 0 });
        var on = Extract(mask, new HairInstanceOptions());
        Assert.Equal(2, on.Hairs.Count);
        Assert.Equal(2, off.Hairs.Count);
    }
}
