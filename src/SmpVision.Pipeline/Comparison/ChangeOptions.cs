namespace SmpVision.Pipeline.Comparison;

/// <summary>Options of <see cref="ChangeAnalysis"/>; every default can be overridden.</summary>
public sealed record ChangeOptions
{
    /// <summary>
    /// |z| below which a count change is reported as "no significant change". Default 1.96
    /// (two-sided 5% under a normal approximation of the Poisson counts).
    /// </summary>
    public double SignificanceZ { get; init; } = 1.96;

    /// <summary>
    /// With a scale and no region labels, a pixel counts as bald when no hair lies within this
    /// distance. Default 1.0 mm: SMP dots, each standing for one follicular opening, sit about
    /// 1 mm apart (Rassman 2015, docs/DOMAIN-SOURCES.md), and ~100 FU/cm2 (Tsai 2002) puts openings ~1 mm apart.
    /// </summary>
    public double BaldRadiusMillimetres { get; init; } = 1.0;

    /// <summary>
    /// Two hairs (before, and after mapped onto before) are the same hair when an end point of one
    /// lies within this many median shaft widths of an end point of the other (ends may swap). Default 2 widths: registration residuals
    /// are well under a shaft width on real frames; emergence points jitter by about one width.
    /// </summary>
    public double HairMatchToleranceWidths { get; init; } = 2.0;

    /// <summary>Smallest hair-matching tolerance, pixels (for frames whose hairs are a few px wide). Default 3.</summary>
    public double MinHairMatchTolerancePixels { get; init; } = 3.0;

    /// <summary>
    /// Change-map tolerance: hair pixels of one visit within this distance of the other visit's hair
    /// are drawn as unchanged, so registration and segmentation jitter do not paint hair outlines
    /// as gained or lost. Default 4 px (a few times the 0.2-0.4 px inlier residual measured on the
    /// dev frames, plus edge jitter of the hair masks).
    /// </summary>
    public int ChangeMapTolerancePixels { get; init; } = 4;

    /// <summary>Warn when the common area is below this fraction of the before photo's analysable area. Default 0.5.</summary>
    public double MinCommonAreaFraction { get; init; } = 0.5;

    /// <summary>Warn when a compared area holds fewer hairs than this on both visits (relative change is then noisy). Default 10.</summary>
    public int LowCountHairs { get; init; } = 10;

    /// <summary>Warn when the registration's median inlier residual exceeds this, pixels. Default 2.</summary>
    public double MaxResidualPixels { get; init; } = 2.0;

    /// <summary>
    /// How a trichoscopy pair is brought into one geometry and colour frame before both visits are
    /// measured by the same detector (<see cref="CommonGeometryComparison"/>). Default: cubic
    /// resampling, L*a*b* mean/std matching, uncovered pixels filled from the before photo, 8 px seam.
    /// </summary>
    public CommonGeometryOptions CommonGeometry { get; init; } = new();

    /// <summary>
    /// Differential evidence used by the trichoscopy comparison in the common geometry
    /// (<see cref="DifferentialChange"/>): added or lost shafts found by differencing the two
    /// visits that no detection explains are counted as hairs. Default: enabled, 5 noise sigmas.
    /// </summary>
    public DifferentialChangeOptions Differential { get; init; } = new();

    /// <summary>Render the change-map PNG. Default true.</summary>
    public bool RenderChangeMap { get; init; } = true;

    /// <summary>Returns the problems with these options; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (SignificanceZ <= 0) errors.Add("SignificanceZ must be positive.");
        if (BaldRadiusMillimetres <= 0) errors.Add("BaldRadiusMillimetres must be positive.");
        if (HairMatchToleranceWidths <= 0) errors.Add("HairMatchToleranceWidths must be positive.");
        if (MinHairMatchTolerancePixels < 0) errors.Add("MinHairMatchTolerancePixels must not be negative.");
        if (ChangeMapTolerancePixels < 0) errors.Add("ChangeMapTolerancePixels must not be negative.");
        if (MinCommonAreaFraction is < 0 or > 1) errors.Add("MinCommonAreaFraction must be in [0, 1].");
        if (LowCountHairs < 0) errors.Add("LowCountHairs must not be negative.");
        if (MaxResidualPixels <= 0) errors.Add("MaxResidualPixels must be positive.");
        if (CommonGeometry is null) errors.Add("CommonGeometry must be set.");
        else errors.AddRange(CommonGeometry.Validate().Select(e => "CommonGeometry." + e));
        if (Differential is null) errors.Add("Differential must be set.");
        else errors.AddRange(Differential.Validate().Select(e => "Differential." + e));
        return errors;
    }
}
