namespace SmpVision.Pipeline.Comparison;

/// <summary>Keypoint detector used for feature-based registration.</summary>
public enum FeatureDetectorKind
{
    /// <summary>AKAZE (nonlinear scale space, binary descriptors): slower, more repeatable on skin texture.</summary>
    Akaze = 0,
    /// <summary>ORB (oriented FAST + rotated BRIEF): fast, less repeatable under blur.</summary>
    Orb = 1,
}

/// <summary>
/// Options of <see cref="ImageRegistration"/>. Defaults are chosen for same-device, same-zone
/// follow-up photos (trichoscopy at a fixed magnification, or overhead photos taken with the
/// Canfield protocol: fixed head position; docs/DOMAIN-SOURCES.md, Imaging modalities), so the expected
/// transform is a modest rotation, shift and perspective with a scale near 1.
/// </summary>
public sealed record RegistrationOptions
{
    /// <summary>Longer image side, in pixels, at which features are detected; larger images are downscaled. Default 1600.</summary>
    public int WorkingMaxSidePixels { get; init; } = 1600;

    /// <summary>Keypoint detector. Default AKAZE.</summary>
    public FeatureDetectorKind Detector { get; init; } = FeatureDetectorKind.Akaze;

    /// <summary>Keypoint budget per image (ORB only; AKAZE keeps what passes its threshold). Default 4000.</summary>
    public int MaxFeatures { get; init; } = 4000;

    /// <summary>AKAZE detector response threshold. Default 0.0005 (lower than OpenCV's 0.001, to find enough points on smooth skin).</summary>
    public double AkazeThreshold { get; init; } = 0.0005;

    /// <summary>Lowe ratio test: keep a match when best distance &lt; ratio x second best. Default 0.8 (Lowe 2004).</summary>
    public double MatchRatio { get; init; } = 0.8;

    /// <summary>RANSAC inlier threshold at working resolution, in pixels. Default 3.</summary>
    public double RansacThresholdPixels { get; init; } = 3.0;

    /// <summary>RANSAC iterations. Default 5000.</summary>
    public int RansacMaxIterations { get; init; } = 5000;

    /// <summary>Fewest RANSAC inliers accepted. Default 25: chance consensus among unrelated frames stays well below that.</summary>
    public int MinInliers { get; init; } = 25;

    /// <summary>Smallest inliers / ratio-test matches accepted. Default 0.25.</summary>
    public double MinInlierRatio { get; init; } = 0.25;

    /// <summary>
    /// Smallest fraction of the overlap's grid cells that must hold an inlier. Default 0.3: inliers
    /// bunched on burned-in overlays (a text bar, a scale bar), which repeat across unrelated
    /// frames, do not pin down the scalp; texture matches on the same scalp fill most cells.
    /// </summary>
    public double MinInlierSpreadFraction { get; init; } = 0.3;

    /// <summary>Grid cells per side for <see cref="MinInlierSpreadFraction"/>. Default 8.</summary>
    public int SpreadGridCellsPerSide { get; init; } = 8;

    /// <summary>Smallest accepted local scale of the after-to-before transform. Default 0.67.</summary>
    public double MinScaleFactor { get; init; } = 0.67;

    /// <summary>Largest accepted local scale of the after-to-before transform. Default 1.5.</summary>
    public double MaxScaleFactor { get; init; } = 1.5;

    /// <summary>Largest ratio of the transform's singular values (shear / aspect change). Default 1.3.</summary>
    public double MaxAnisotropy { get; init; } = 1.3;

    /// <summary>Largest ratio of the projective denominator across the after frame's corners. Default 1.6.</summary>
    public double MaxPerspectiveRatio { get; init; } = 1.6;

    /// <summary>Smallest overlap: warped after frame inside before frame, as a fraction of the before frame. Default 0.3.</summary>
    public double MinOverlapFraction { get; init; } = 0.3;

    /// <summary>
    /// Largest relative difference of the two sides' pixels per millimetre. Default 0.15, the
    /// stated uncertainty of the dev-set scale (shared/data README; docs/DOMAIN-SOURCES.md, Imaging modalities).
    /// </summary>
    public double MaxScaleMismatchFraction { get; init; } = 0.15;

    /// <summary>Run ECC (intensity-based) when feature matching fails, for low-texture frames. Default true.</summary>
    public bool EnableEccFallback { get; init; } = true;

    /// <summary>Longer side, in pixels, of the image ECC runs on (coarse level uses half). Default 400.</summary>
    public int EccMaxSidePixels { get; init; } = 400;

    /// <summary>Smallest ECC correlation accepted. Default 0.75.</summary>
    public double EccMinCorrelation { get; init; } = 0.75;

    /// <summary>ECC iterations per pyramid level. Default 100.</summary>
    public int EccMaxIterations { get; init; } = 100;

    /// <summary>CLAHE clip limit on L* before features, for brightness/contrast robustness. Default 2.0.</summary>
    public double ClaheClipLimit { get; init; } = 2.0;

    /// <summary>CLAHE tiles per side. Default 8.</summary>
    public int ClaheTilesPerSide { get; init; } = 8;

    /// <summary>Returns the problems with these options; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (WorkingMaxSidePixels < 64) errors.Add("WorkingMaxSidePixels must be at least 64.");
        if (MaxFeatures < 50) errors.Add("MaxFeatures must be at least 50.");
        if (AkazeThreshold <= 0) errors.Add("AkazeThreshold must be positive.");
        if (MatchRatio is <= 0 or >= 1) errors.Add("MatchRatio must be in (0, 1).");
        if (RansacThresholdPixels <= 0) errors.Add("RansacThresholdPixels must be positive.");
        if (RansacMaxIterations < 100) errors.Add("RansacMaxIterations must be at least 100.");
        if (MinInliers < 4) errors.Add("MinInliers must be at least 4 (a homography needs 4 points).");
        if (MinInlierRatio is < 0 or > 1) errors.Add("MinInlierRatio must be in [0, 1].");
        if (MinInlierSpreadFraction is < 0 or > 1) errors.Add("MinInlierSpreadFraction must be in [0, 1].");
        if (SpreadGridCellsPerSide is < 1 or > 64) errors.Add("SpreadGridCellsPerSide must be in [1, 64].");
        if (MinScaleFactor <= 0 || MaxScaleFactor <= MinScaleFactor) errors.Add("Need 0 < MinScaleFactor < MaxScaleFactor.");
        if (MaxAnisotropy < 1) errors.Add("MaxAnisotropy must be at least 1.");
        if (MaxPerspectiveRatio < 1) errors.Add("MaxPerspectiveRatio must be at least 1.");
        if (MinOverlapFraction is < 0 or > 1) errors.Add("MinOverlapFraction must be in [0, 1].");
        if (MaxScaleMismatchFraction < 0) errors.Add("MaxScaleMismatchFraction must not be negative.");
        if (EccMaxSidePixels < 64) errors.Add("EccMaxSidePixels must be at least 64.");
        if (EccMinCorrelation is < 0 or > 1) errors.Add("EccMinCorrelation must be in [0, 1].");
        if (EccMaxIterations < 1) errors.Add("EccMaxIterations must be at least 1.");
        if (ClaheClipLimit <= 0) errors.Add("ClaheClipLimit must be positive.");
        if (ClaheTilesPerSide < 1) errors.Add("ClaheTilesPerSide must be at least 1.");
        return errors;
    }
}
