namespace SmpVision.Pipeline.Comparison;

/// <summary>Interpolation used to resample the after photo into the before photo's geometry.</summary>
public enum ResamplingKernel
{
    /// <summary>Bilinear: smooths thin shafts most.</summary>
    Linear = 0,
    /// <summary>Bicubic.</summary>
    Cubic = 1,
    /// <summary>Lanczos (8x8): keeps shaft contrast best; slowest.</summary>
    Lanczos = 2,
}

/// <summary>
/// Options of <see cref="CommonGeometry"/> and <see cref="CommonGeometryComparison"/>: how the after
/// photo is brought into the before photo's geometry and photometric frame before both are
/// measured by the same detector. Every default can be overridden.
/// </summary>
public sealed record CommonGeometryOptions
{
    /// <summary>Resampling kernel. Default Cubic (measured: see Comparison/README.md).</summary>
    public ResamplingKernel Kernel { get; init; } = ResamplingKernel.Cubic;

    /// <summary>
    /// Map the after photo's colour onto the before photo's over the common area: per-channel mean
    /// and standard deviation in CIE L*a*b* (Reinhard et al. 2001 colour transfer), so that a
    /// brightness, contrast or white-balance change between visits does not move the detector's
    /// thresholds. Default true.
    /// </summary>
    public bool NormaliseColour { get; init; } = true;

    /// <summary>
    /// Fill the pixels the after photo does not cover with the before photo's pixels, so both
    /// images the detector sees are continuous scalp and a hair crossing the edge of the common
    /// area is cut (or not) alike on both visits. Default true.
    /// </summary>
    public bool FillUncoveredWithBefore { get; init; } = true;

    /// <summary>
    /// The after photo's covered area is eroded by this many before-photo pixels before it bounds
    /// the common area: the seam pixels mix both visits. Default 8 px (a few kernel radii).
    /// </summary>
    public int SeamMarginPixels { get; init; } = 8;

    /// <summary>
    /// Blur the sharper of the two images (Gaussian) until both have the same Laplacian energy over
    /// the common area, so resampling blur (the after photo is interpolated, the before is not) or a
    /// focus difference between visits does not make one detection miss faint shafts the other
    /// finds: both visits are measured at one effective resolution, as longitudinal imaging
    /// smooths both scans to a common resolution. Default true.
    /// </summary>
    public bool MatchSharpness { get; init; } = true;

    /// <summary>Largest Gaussian sigma, pixels, used to match sharpness. Default 3 px (well past interpolation blur, about 0.5 px).</summary>
    public double MaxMatchingBlurSigmaPixels { get; init; } = 3.0;

    /// <summary>
    /// Both visits' detections use one single-shaft reference width (the larger of the two
    /// frames' readings): the detector calls a region two overlapping shafts when it is wider than
    /// that reference, and a few percent of difference between visits flips the call on borderline
    /// shafts (measured on the dev frames: the main residual after resampling). Costs one more
    /// detection when the readings differ. Default true.
    /// </summary>
    public bool ShareReferenceWidth { get; init; } = true;

    /// <summary>Returns the problems with these options; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!Enum.IsDefined(Kernel)) errors.Add("Kernel is not a known resampling kernel.");
        if (SeamMarginPixels < 0) errors.Add("SeamMarginPixels must not be negative.");
        if (!(MaxMatchingBlurSigmaPixels > 0)) errors.Add("MaxMatchingBlurSigmaPixels must be positive.");
        return errors;
    }
}
