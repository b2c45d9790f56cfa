namespace SmpVision.Pipeline.Segmentation;

/// <summary>
/// Options of <see cref="HairSegmenter"/>. Sizes are physical (micrometres) so that they hold at
/// any magnification; they are converted with the frame's scale, or with
/// <see cref="NominalPixelsPerMillimetre"/> when the frame has none (kernel sizing only: no
/// physical value is ever reported from the nominal scale).
/// </summary>
public sealed record HairSegmentationOptions
{
    /// <summary>
    /// Pixels per mm assumed for sizing kernels when no scale is known. Default 361, the 70x dev
    /// device (DOMAIN.md, Imaging modalities).
    /// </summary>
    public double NominalPixelsPerMillimetre { get; init; } = 361;

    /// <summary>
    /// Pixel size the segmentation works at; frames finer than this are downsampled (speed).
    /// Default 5.5 um: a vellus shaft (&lt; 30 um, DOMAIN.md) is still ~5 pixels wide.
    /// </summary>
    public double WorkingMicrometresPerPixel { get; init; } = 5.5;

    /// <summary>
    /// Size of the closing that estimates local skin brightness under a shaft. Must exceed the
    /// widest shaft with margin: terminal shafts are &gt;= 60 um and rarely above 120 um
    /// (DOMAIN.md, shaft width). Default 220 um.
    /// </summary>
    public double BackgroundKernelMicrometres { get; init; } = 220;

    /// <summary>
    /// Relative darkness (local skin level minus pixel, over skin level) a hair pixel reaches at
    /// least in every colour channel. Relative, so it holds from light to dark skin; per channel,
    /// so blue marker dye and blue-grey sub-surface shafts (not dark in blue) and colour casts
    /// (shared/data/README.md) do not pass.
    /// Default 0.26.
    /// </summary>
    public double LowRelativeDarkness { get; init; } = 0.26;

    /// <summary>Relative darkness that seeds a hair: a hair region must hold at least one such pixel. Default 0.42.</summary>
    public double HighRelativeDarkness { get; init; } = 0.42;

    /// <summary>
    /// Within a dark region, a hair pixel reaches at least this fraction of the region's peak
    /// darkness: the half-maximum edge convention for line widths, so the shaft's dark halo and
    /// soft-focus blur are not read as shaft. Default 0.5.
    /// </summary>
    public double HalfMaximumFraction { get; init; } = 0.5;

    /// <summary>Percentile of the frame's relative darkness taken as its darkest-structure level. Default 99.5.</summary>
    public double FramePeakPercentile { get; init; } = 99.5;

    /// <summary>
    /// A seed must also reach this fraction of the frame's darkest-structure level, so faint skin
    /// texture does not seed hairs where the shafts are dark. Default 0.65.
    /// </summary>
    public double SeedFractionOfFramePeak { get; init; } = 0.65;

    /// <summary>Smallest hair region, in square micrometres (a 30 um x 60 um stub). Default 1800.</summary>
    public double MinHairAreaSquareMicrometres { get; init; } = 1800;

    /// <summary>Returns the problems with these options; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (NominalPixelsPerMillimetre <= 0) errors.Add("NominalPixelsPerMillimetre must be > 0.");
        if (WorkingMicrometresPerPixel <= 0) errors.Add("WorkingMicrometresPerPixel must be > 0.");
        if (BackgroundKernelMicrometres <= 0) errors.Add("BackgroundKernelMicrometres must be > 0.");
        if (LowRelativeDarkness is <= 0 or >= 1) errors.Add("LowRelativeDarkness must be in (0, 1).");
        if (HighRelativeDarkness is <= 0 or >= 1) errors.Add("HighRelativeDarkness must be in (0, 1).");
        if (HighRelativeDarkness < LowRelativeDarkness) errors.Add("HighRelativeDarkness must be >= LowRelativeDarkness.");
        if (HalfMaximumFraction is < 0 or >= 1) errors.Add("HalfMaximumFraction must be in [0, 1).");
        if (FramePeakPercentile is <= 0 or > 100) errors.Add("FramePeakPercentile must be in (0, 100].");
        if (SeedFractionOfFramePeak is < 0 or >= 1) errors.Add("SeedFractionOfFramePeak must be in [0, 1).");
        if (MinHairAreaSquareMicrometres < 0) errors.Add("MinHairAreaSquareMicrometres must be >= 0.");
        return errors;
    }
}
