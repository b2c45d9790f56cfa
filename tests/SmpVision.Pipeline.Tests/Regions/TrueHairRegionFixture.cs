using OpenCvSharp;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Model;
using SmpVision.Pipeline.Regions;
using SmpVision.Pipeline.Synthetic;

namespace SmpVision.Pipeline.Tests.Regions;

/// <summary>
/// Region segmentation of a generated frame fed the generator's true hairs, units, hair mask and
/// analysable (on-scalp) mask, scored per class by IoU against the true region labels: isolates
/// the region stage from the hair detector.
/// </summary>
internal static class TrueHairRegionFixture
{
    public static (Dictionary<RegionClass, double> IoU, RegionMap Map) Segment(
        SyntheticTrichoscopySpec spec, int seed, RegionOptions options, IReadOnlyList<RegionClass> scored)
    {
        using var rendering = SyntheticTrichoscopyGenerator.Render(spec, seed);
        var truth = rendering.Truth;
        using var image = rendering.ToScalpImage();
        using var truthLabels = new Mat(truth.HeightPixels, truth.WidthPixels, MatType.CV_8UC1);
        truthLabels.SetArray(truth.RegionLabels);
        using var hairMask = new Mat(truth.HeightPixels, truth.WidthPixels, MatType.CV_8UC1);
        hairMask.SetArray(truth.HairMask);
        using var analysable = new Mat();
        Cv2.Compare(truthLabels, (double)(byte)RegionClass.OffScalp, analysable, CmpTypes.NE);
        var map = RegionSegmentation.Run(image, analysable, hairMask, truth.Hairs, truth.FollicularUnits, new Scale(spec.PixelsPerMillimetre, ScaleSource.Request, 0, "test"), options, CancellationToken.None);
        var iou = new Dictionary<RegionClass, double>();
        foreach (var c in scored)
        {
            using var p = new Mat();
            using var t = new Mat();
            Cv2.Compare(map.Labels, (double)(byte)c, p, CmpTypes.EQ);
            Cv2.Compare(truthLabels, (double)(byte)c, t, CmpTypes.EQ);
            using var i = new Mat();
            using var u = new Mat();
            Cv2.BitwiseAnd(p, t, i);
            Cv2.BitwiseOr(p, t, u);
            var un = Cv2.CountNonZero(u);
            iou[c] = un == 0 ? 1 : Cv2.CountNonZero(i) / (double)un;
        }

        return (iou, map);
    }
}
