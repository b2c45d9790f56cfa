using OpenCvSharp;
using SmpVision.Pipeline.Imaging;

namespace SmpVision.Pipeline.Comparison;

/// <summary>
/// A known photometric and geometric change, for evaluating registration: rotation and scale
/// about the frame centre, a shift, a perspective tilt, then a brightness/contrast change.
/// </summary>
/// <param name="RotationDegrees">Rotation about the centre, degrees.</param>
/// <param name="ScaleFactor">Isotropic scale about the centre.</param>
/// <param name="ShiftXPixels">Horizontal shift, pixels.</param>
/// <param name="ShiftYPixels">Vertical shift, pixels.</param>
/// <param name="PerspectiveX">Projective term along x, per frame width (0.05 = the far side 5% smaller).</param>
/// <param name="PerspectiveY">Projective term along y, per frame height.</param>
/// <param name="Contrast">Multiplier applied to pixel values.</param>
/// <param name="BrightnessOffset">Offset added after the contrast, in 8-bit grey levels.</param>
internal sealed record KnownWarp(double RotationDegrees, double ScaleFactor, double ShiftXPixels, double ShiftYPixels, double PerspectiveX, double PerspectiveY, double Contrast, double BrightnessOffset)
{
    /// <summary>Homography from the source frame to the warped frame (row-major, h[8] = 1).</summary>
    public double[] Homography(int widthPixels, int heightPixels)
    {
        var cx = widthPixels / 2.0;
        var cy = heightPixels / 2.0;
        var a = RotationDegrees * Math.PI / 180.0;
        var c = Math.Cos(a) * ScaleFactor;
        var s = Math.Sin(a) * ScaleFactor;
        double[] toCentre = [1, 0, -cx, 0, 1, -cy, 0, 0, 1];
        double[] perspective = [1, 0, 0, 0, 1, 0, PerspectiveX / widthPixels, PerspectiveY / heightPixels, 1];
        double[] similarity = [c, -s, 0, s, c, 0, 0, 0, 1];
        double[] back = [1, 0, cx + ShiftXPixels, 0, 1, cy + ShiftYPixels, 0, 0, 1];
        var h = HomographyMath.Multiply(back, HomographyMath.Multiply(similarity, HomographyMath.Multiply(perspective, toCentre)));
        return HomographyMath.Normalise(h) ?? h;
    }

    /// <summary>
    /// Warps a frame (same output size) and returns it with its valid-pixel mask (owned by the
    /// caller). Uncovered pixels are black, or mirrored source content when
    /// <paramref name="reflectBorder"/> is set: a real follow-up photo has no black wedges, and
    /// detectors should not be scored on them (the mask still marks the mirrored pixels invalid).
    /// </summary>
    public (ScalpImage Image, Mat ValidMask) Apply(ScalpImage source, bool reflectBorder = false)
    {
        ArgumentNullException.ThrowIfNull(source);
        var h = Homography(source.WidthPixels, source.HeightPixels);
        using var hm = ToMat(h);
        var size = new Size(source.WidthPixels, source.HeightPixels);
        using var warped = new Mat();
        Cv2.WarpPerspective(source.Bgr, warped, hm, size, InterpolationFlags.Linear, reflectBorder ? BorderTypes.Reflect101 : BorderTypes.Constant, Scalar.Black);
        var adjusted = new Mat();
        warped.ConvertTo(adjusted, MatType.CV_8UC3, Contrast, BrightnessOffset);
        using var ones = new Mat(source.HeightPixels, source.WidthPixels, MatType.CV_8UC1, Scalar.All(255));
        var mask = new Mat();
        Cv2.WarpPerspective(ones, mask, hm, size, InterpolationFlags.Nearest, BorderTypes.Constant, Scalar.All(0));
        return (ScalpImage.FromBgr(adjusted), mask);
    }

    internal static Mat ToMat(IReadOnlyList<double> h)
    {
        var m = new Mat(3, 3, MatType.CV_64FC1);
        for (var k = 0; k < 9; k++)
        {
            m.Set(k / 3, k % 3, h[k]);
        }

        return m;
    }

    /// <summary>
    /// Median distance, in source pixels, between where the true and the estimated after-to-before
    /// maps send a grid of source points that stay inside the warped frame.
    /// </summary>
    public static double MedianGridErrorPixels(IReadOnlyList<double> trueSourceToWarped, IReadOnlyList<double> estimatedWarpedToSource, int widthPixels, int heightPixels, int gridStepPixels = 32)
    {
        var errors = new List<double>();
        for (var y = gridStepPixels / 2; y < heightPixels; y += gridStepPixels)
        {
            for (var x = gridStepPixels / 2; x < widthPixels; x += gridStepPixels)
            {
                var w = HomographyMath.Apply(trueSourceToWarped, x, y);
                if (w.X < 0 || w.Y < 0 || w.X >= widthPixels || w.Y >= heightPixels)
                {
                    continue;
                }

                var back = HomographyMath.Apply(estimatedWarpedToSource, w.X, w.Y);
                errors.Add(Math.Sqrt(Math.Pow(back.X - x, 2) + Math.Pow(back.Y - y, 2)));
            }
        }

        return ImageRegistration.Median(errors);
    }
}
