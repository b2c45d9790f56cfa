using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Comparison;

/// <summary>How the after photo was aligned onto the before photo.</summary>
public enum RegistrationMethod
{
    /// <summary>Not aligned.</summary>
    None = 0,
    /// <summary>Keypoints + ratio test + RANSAC homography, refined on the inliers.</summary>
    FeatureHomography = 1,
    /// <summary>Enhanced correlation coefficient maximisation (intensity based), for low-texture frames.</summary>
    Ecc = 2,
}

/// <summary>Why two photos were not aligned. Values are stable; the message says what to do.</summary>
public enum RegistrationRefusal
{
    /// <summary>Not refused.</summary>
    None = 0,
    /// <summary>The two photos are of different modalities (trichoscopy vs overhead).</summary>
    ModalityMismatch = 1,
    /// <summary>Their pixels-per-millimetre differ beyond the tolerance.</summary>
    ScaleMismatch = 2,
    /// <summary>Too few distinctive points or ratio-test matches to estimate a transform.</summary>
    TooFewMatches = 3,
    /// <summary>RANSAC found too few geometrically consistent matches: probably different scalp areas.</summary>
    TooFewInliers = 4,
    /// <summary>The consistent matches sit in a small part of the frame (e.g. a burned-in overlay).</summary>
    InliersNotSpread = 5,
    /// <summary>The transform is singular, mirrors the image, or sends the frame through infinity.</summary>
    DegenerateTransform = 6,
    /// <summary>The transform's scale, shear or perspective is beyond what a follow-up photo shows.</summary>
    ImplausibleTransform = 7,
    /// <summary>The aligned photos share too little area.</summary>
    InsufficientOverlap = 8,
    /// <summary>Intensity-based alignment did not converge or correlates too weakly.</summary>
    LowCorrelation = 9,
    /// <summary>An image is too small to register.</summary>
    ImageTooSmall = 10,
}

/// <summary>
/// Outcome of registering the after photo onto the before photo.
/// </summary>
/// <param name="Succeeded">True when the photos were aligned and the transform passed every plausibility check.</param>
/// <param name="Method">How they were aligned (or the last method tried when refused).</param>
/// <param name="Refusal">Why they were not aligned; <see cref="RegistrationRefusal.None"/> on success.</param>
/// <param name="Message">A sentence a person can act on.</param>
/// <param name="HomographyAfterToBefore">Row-major 3x3 homography mapping after-photo pixels to before-photo pixels (full resolution, h[8] = 1); null when no transform was estimated.</param>
/// <param name="MatchCount">Ratio-test matches fed to RANSAC (0 for ECC).</param>
/// <param name="InlierCount">RANSAC inliers (0 for ECC).</param>
/// <param name="InlierRatio">Inliers / matches (0 when there were no matches).</param>
/// <param name="MedianReprojectionErrorPixels">Median distance, in before-photo pixels, between inliers mapped by the homography and their matches; null for ECC.</param>
/// <param name="EccCorrelation">ECC correlation coefficient (0-1) when ECC ran; null otherwise.</param>
/// <param name="ScaleFactor">Local scale of the transform at the after frame's centre (before px per after px).</param>
/// <param name="RotationDegrees">Local rotation at the after frame's centre, degrees counter-clockwise in image axes.</param>
/// <param name="Anisotropy">Ratio of the local singular values (1 = no shear or aspect change).</param>
/// <param name="PerspectiveRatio">Largest / smallest projective denominator over the after frame's corners (1 = affine).</param>
/// <param name="OverlapFraction">Area of the warped after frame inside the before frame, as a fraction of the before frame.</param>
/// <param name="Warnings">Non-fatal observations (missing scale, scale disagreement).</param>
public sealed record RegistrationResult(
    bool Succeeded,
    RegistrationMethod Method,
    RegistrationRefusal Refusal,
    string Message,
    double[]? HomographyAfterToBefore,
    int MatchCount,
    int InlierCount,
    double InlierRatio,
    double? MedianReprojectionErrorPixels,
    double? EccCorrelation,
    double? ScaleFactor,
    double? RotationDegrees,
    double? Anisotropy,
    double? PerspectiveRatio,
    double? OverlapFraction,
    IReadOnlyList<PipelineWarning> Warnings)
{
    internal static RegistrationResult Refused(RegistrationRefusal refusal, RegistrationMethod method, string message, IReadOnlyList<PipelineWarning> warnings) =>
        new(false, method, refusal, message, null, 0, 0, 0, null, null, null, null, null, null, null, warnings);
}
