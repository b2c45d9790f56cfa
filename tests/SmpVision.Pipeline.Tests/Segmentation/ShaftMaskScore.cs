using OpenCvSharp;
using SmpVision.Pipeline.Segmentation;
using SmpVision.Pipeline.Synthetic;

namespace SmpVision.Pipeline.Tests.Segmentation;

/// <summary>A hair mask against the generator's true shafts: pixels off every shaft (farther than 5 px) and true shaft pixels covered.</summary>
internal readonly record struct ShaftMaskScore(int OffShaft, int Covered, int ShaftPixels)
{
    /// <summary>Share of the true shaft pixels the mask covers.</summary>
    public double Recall => (double)Covered / Math.Max(1, ShaftPixels);

    public static ShaftMaskScore Of(HairSegmentation seg, SyntheticGroundTruth truth)
    {
        using var shafts = new Mat(truth.HeightPixels, truth.WidthPixels, MatType.CV_8UC1);
        shafts.SetArray(truth.HairMask);
        using var near = new Mat();
        using (var k = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(11, 11)))
        {
            Cv2.Dilate(shafts, near, k);
        }

        using var off = new Mat();
        Cv2.BitwiseNot(near, off);
        Cv2.BitwiseAnd(off, seg.HairMask, off);
        using var hit = new Mat();
        Cv2.BitwiseAnd(shafts, seg.HairMask, hit);
        return new ShaftMaskScore(Cv2.CountNonZero(off), Cv2.CountNonZero(hit), Cv2.CountNonZero(shafts));
    }
}
