using OpenCvSharp;
using SmpVision.Pipeline.Imaging;

namespace SmpVision.Pipeline.Comparison;

/// <summary>
/// The after photo resampled into the before photo's geometry and photometric frame. Owns its
/// image and mask.
/// </summary>
internal sealed class ResampledAfter : IDisposable
{
    internal ResampledAfter(ScalpImage image, Mat coveredMask, Mat coveredCore, double[] labGain, double[] labOffset)
    {
        Image = image;
        CoveredMask = coveredMask;
        CoveredCore = coveredCore;
        LabGain = labGain;
        LabOffset = labOffset;
    }

    /// <summary>The after photo on the before photo's pixel grid (uncovered pixels per the options).</summary>
    public ScalpImage Image { get; }

    /// <summary>8UC1, 255 where the after photo covers the before photo's frame.</summary>
    public Mat CoveredMask { get; }

    /// <summary>8UC1, <see cref="CoveredMask"/> eroded by the seam margin: where the after photo's own pixels can be measured.</summary>
    public Mat CoveredCore { get; }

    /// <summary>Per L*, a*, b* channel (8-bit OpenCV Lab units): gain of the colour mapping (1 when not normalised).</summary>
    public IReadOnlyList<double> LabGain { get; }

    /// <summary>Per L*, a*, b* channel: offset of the colour mapping (0 when not normalised).</summary>
    public IReadOnlyList<double> LabOffset { get; }

    public void Dispose()
    {
        Image.Dispose();
        CoveredMask.Dispose();
        CoveredCore.Dispose();
    }
}

/// <summary>
/// Brings the after photo into the before photo's geometry (the registration homography) and
/// photometric frame (per-channel L*a*b* mean and standard deviation matched over the common area,
/// Reinhard et al. 2001), so that one detector measures both visits on one pixel grid and at one
/// brightness. This is how longitudinal imaging makes measurement error symmetric so that it
/// cancels in the difference (Reuter et al. 2012, within-subject longitudinal analysis): a 0.9x
/// after photo no longer has 10% thinner shafts in pixels, and a brighter after photo no longer
/// shifts the hair/skin threshold.
/// </summary>
internal static class CommonGeometry
{
    /// <param name="before">The reference visit (its pixel grid is the common geometry).</param>
    /// <param name="beforeMask">8UC1 before-photo area over which colour statistics are taken (its analysable mask), or null for the whole frame.</param>
    /// <param name="after">The follow-up visit.</param>
    /// <param name="afterToBefore">Homography from after-photo to before-photo pixels (row-major, 9 values).</param>
    /// <param name="options">Kernel, colour normalisation, fill, seam margin.</param>
    /// <param name="ct">Cancellation.</param>
    public static ResampledAfter ResampleAfter(ScalpImage before, Mat? beforeMask, ScalpImage after, IReadOnlyList<double> afterToBefore, CommonGeometryOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        ArgumentNullException.ThrowIfNull(afterToBefore);
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid common-geometry options: " + string.Join(" ", errors), nameof(options));
        }

        if (afterToBefore.Count != 9)
        {
            throw new ArgumentException("A homography has 9 values.", nameof(afterToBefore));
        }

        var size = new Size(before.WidthPixels, before.HeightPixels);
        using var hMat = KnownWarp.ToMat(afterToBefore);
        var interpolation = options.Kernel switch
        {
            ResamplingKernel.Linear => InterpolationFlags.Linear,
            ResamplingKernel.Lanczos => InterpolationFlags.Lanczos4,
            _ => InterpolationFlags.Cubic,
        };

        ct.ThrowIfCancellationRequested();
        var warped = new Mat();
        var covered = new Mat();
        var core = new Mat();
        try
        {
            // Replicated border: the kernel reads past the after frame's edge without pulling in black.
            Cv2.WarpPerspective(after.Bgr, warped, hMat, size, interpolation, BorderTypes.Replicate);
            using (var ones = new Mat(after.HeightPixels, after.WidthPixels, MatType.CV_8UC1, Scalar.All(255)))
            {
                Cv2.WarpPerspective(ones, covered, hMat, size, InterpolationFlags.Nearest, BorderTypes.Constant, Scalar.All(0));
            }

            if (options.SeamMarginPixels > 0)
            {
                using var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(2 * options.SeamMarginPixels + 1, 2 * options.SeamMarginPixels + 1));
                Cv2.Erode(covered, core, kernel, borderType: BorderTypes.Constant, borderValue: Scalar.All(0));
            }
            else
            {
                covered.CopyTo(core);
            }

            ct.ThrowIfCancellationRequested();
            double[] gain = [1, 1, 1];
            double[] offset = [0, 0, 0];
            if (options.NormaliseColour)
            {
                using var statsMask = new Mat();
                if (beforeMask is null)
                {
                    core.CopyTo(statsMask);
                }
                else
                {
                    Cv2.BitwiseAnd(beforeMask, core, statsMask);
                }

                if (Cv2.CountNonZero(statsMask) > 0)
                {
                    (gain, offset) = MatchLab(before.Bgr, warped, statsMask);
                }
            }

            if (options.FillUncoveredWithBefore)
            {
                using var uncovered = new Mat();
                Cv2.BitwiseNot(covered, uncovered);
                before.Bgr.CopyTo(warped, uncovered);
            }

            return new ResampledAfter(ScalpImage.FromBgr(warped, after.Info.Format), covered, core, gain, offset);
        }
        catch
        {
            warped.Dispose();
            covered.Dispose();
            core.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Maps <paramref name="image"/>'s L*a*b* channels, in place, so their mean and standard
    /// deviation over <paramref name="mask"/> equal <paramref name="reference"/>'s (Reinhard et al.
    /// 2001). Returns per-channel gain and offset (8-bit OpenCV Lab units).
    /// </summary>
    internal static (double[] Gain, double[] Offset) MatchLab(Mat reference, Mat image, Mat mask)
    {
        using var referenceLab = new Mat();
        using var imageLab = new Mat();
        Cv2.CvtColor(reference, referenceLab, ColorConversionCodes.BGR2Lab);
        Cv2.CvtColor(image, imageLab, ColorConversionCodes.BGR2Lab);
        Cv2.MeanStdDev(referenceLab, out var referenceMean, out var referenceStd, mask);
        Cv2.MeanStdDev(imageLab, out var imageMean, out var imageStd, mask);
        var gain = new double[3];
        var offset = new double[3];
        var channels = Cv2.Split(imageLab);
        try
        {
            for (var c = 0; c < 3; c++)
            {
                // A flat channel (std 0) cannot be stretched: shift its mean only.
                gain[c] = imageStd[c] > 1e-6 ? referenceStd[c] / imageStd[c] : 1.0;
                offset[c] = referenceMean[c] - gain[c] * imageMean[c];
                channels[c].ConvertTo(channels[c], MatType.CV_8UC1, gain[c], offset[c]);
            }

            Cv2.Merge(channels, imageLab);
        }
        finally
        {
            foreach (var channel in channels)
            {
                channel.Dispose();
            }
        }

        Cv2.CvtColor(imageLab, image, ColorConversionCodes.Lab2BGR);
        return (gain, offset);
    }

    /// <summary>
    /// Mean absolute Laplacian of the grey image over <paramref name="mask"/>: the energy of fine
    /// detail (shaft edges), which blur lowers monotonically.
    /// </summary>
    internal static double LaplacianEnergy(Mat grey, Mat mask)
    {
        using var laplacian = new Mat();
        using var magnitude = new Mat();
        Cv2.Laplacian(grey, laplacian, MatType.CV_16S, ksize: 3);
        // |Laplacian| of 8-bit grey with a 3x3 kernel is at most 1020: a quarter fits 8 bits unsaturated.
        Cv2.ConvertScaleAbs(laplacian, magnitude, 0.25);
        return 4.0 * Cv2.Mean(magnitude, mask).Val0;
    }

    /// <summary>
    /// The Gaussian sigma (pixels) that brings the sharper of two images down to the other's
    /// Laplacian energy over <paramref name="mask"/>, found by bisection (energy falls as sigma
    /// grows). Returns which image to blur (true: <paramref name="first"/>) and the sigma; sigma 0
    /// when they already match within 1%.
    /// </summary>
    internal static (bool BlurFirst, double SigmaPixels) SharpnessMatch(Mat first, Mat second, Mat mask, double maxSigmaPixels)
    {
        using var greyFirst = new Mat();
        using var greySecond = new Mat();
        Cv2.CvtColor(first, greyFirst, ColorConversionCodes.BGR2GRAY);
        Cv2.CvtColor(second, greySecond, ColorConversionCodes.BGR2GRAY);
        var energyFirst = LaplacianEnergy(greyFirst, mask);
        var energySecond = LaplacianEnergy(greySecond, mask);
        var blurFirst = energyFirst > energySecond;
        var (sharp, target) = blurFirst ? (greyFirst, energySecond) : (greySecond, energyFirst);
        if (Math.Abs(energyFirst - energySecond) <= 0.01 * Math.Max(energyFirst, energySecond))
        {
            return (blurFirst, 0);
        }

        double low = 0, high = maxSigmaPixels;
        using var blurred = new Mat();
        for (var iteration = 0; iteration < 10; iteration++)
        {
            var sigma = (low + high) / 2;
            Cv2.GaussianBlur(sharp, blurred, new Size(0, 0), sigma);
            if (LaplacianEnergy(blurred, mask) > target)
            {
                low = sigma;
            }
            else
            {
                high = sigma;
            }
        }

        return (blurFirst, (low + high) / 2);
    }
}
