namespace SmpVision.Pipeline.Comparison;

/// <summary>
/// Options of <see cref="DifferentialChange"/>: change detection by differencing the two visits in
/// the common geometry (Radke et al. 2005, "Image change detection algorithms: a systematic
/// survey", IEEE TIP), used to find added or lost shafts the detector did not give an instance of
/// its own (a new hair touching an old one). Every default can be overridden.
/// </summary>
public sealed record DifferentialChangeOptions
{
    /// <summary>Use the differential evidence in the trichoscopy comparison. Default true.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>
    /// Gaussian sigma, pixels, applied to both visits' L* before differencing: averages pixel noise
    /// and cancels the one-pixel signed slivers that sub-pixel registration and interpolation leave
    /// along every shaft edge. Default 1.5 px (a third of a 20 um vellus shaft at 180 px/mm, so thin
    /// shafts keep most of their contrast).
    /// </summary>
    public double BlurSigmaPixels { get; init; } = 1.5;

    /// <summary>
    /// A pixel is changed when the (smoothed) after-minus-before darkening exceeds this many noise
    /// standard deviations, the noise estimated robustly (1.4826 x MAD) from the residual over skin
    /// away from every detected shaft. Default 5: a shaft-shaped cluster of pixels beyond 5 sigma is
    /// not pixel noise (Radke et al. 2005: significance test on the difference).
    /// </summary>
    public double ThresholdNoiseSigmas { get; init; } = 5.0;

    /// <summary>
    /// Smallest darkening, 8-bit L* units, that can count as a change whatever the estimated noise
    /// (a noiseless generated pair would otherwise threshold at 0). Default 6 (a hair shaft is tens of
    /// L* units darker than skin; JPEG and resampling residuals are a few).
    /// </summary>
    public double MinThresholdLightness { get; init; } = 6.0;

    /// <summary>
    /// An unpaired detection (a hair the detector saw on one visit only) is a change only when the
    /// difference along its shaft exceeds this many noise sigmas in the right direction (darker
    /// after for a gain); otherwise the hair was there on both visits and the other visit's
    /// detection missed it or split it differently, so it is counted on both. Default 3 (a weaker
    /// test than for a new region: the detection already says where to look).
    /// </summary>
    public double SupportNoiseSigmas { get; init; } = 3.0;

    /// <summary>
    /// The support test also asks the difference along the shaft to be at least this share of the
    /// shaft's own contrast on the visit that has it (local background minus shaft lightness): a
    /// hair that came or went changes by its whole contrast; a structure on both visits whose
    /// contrast the colour match scales a little differently changes by a small share. Default 0.5.
    /// </summary>
    public double MinSupportContrastFraction { get; init; } = 0.5;

    /// <summary>Gaussian sigma of the local background for that contrast, in single-shaft reference widths. Default 2.</summary>
    public double BackgroundReferenceWidths { get; init; } = 2.0;

    /// <summary>Smallest support threshold, 8-bit L* units, whatever the noise. Default 3.</summary>
    public double MinSupportLightness { get; init; } = 3.0;

    /// <summary>
    /// Changed pixels within this many pixels of the other visit's segmented hair (before hair for a
    /// gain, after hair for a loss) are ignored: they are an existing shaft's edge read a little
    /// differently, not a new shaft. Default 2 px.
    /// </summary>
    public int ExistingShaftMarginPixels { get; init; } = 2;

    /// <summary>
    /// A changed region counts as a shaft only when it is at least this long. Default 250 um, the
    /// counted-length floor of the density rule (HairInstanceOptions.MinCountedLengthMicrometres),
    /// so differential hairs follow the same rule as detected ones.
    /// </summary>
    public double MinLengthMicrometres { get; init; } = 250;

    /// <summary>
    /// Smallest mean width (area / length) of a changed shaft, micrometres. Default 10 um: below the
    /// thinnest vellus shaft (docs/DOMAIN-SOURCES.md: vellus &lt; 30 um) but wider than edge slivers.
    /// </summary>
    public double MinMeanWidthMicrometres { get; init; } = 10;

    /// <summary>
    /// Largest mean width of a changed shaft, in single-shaft reference widths (the detector's
    /// frame reading). Default 2.5: wider regions are shading or a shift of the whole patch.
    /// </summary>
    public double MaxMeanWidthReferenceWidths { get; init; } = 2.5;

    /// <summary>Smallest length / mean width of a changed shaft. Default 4 (a shaft is long and thin).</summary>
    public double MinElongation { get; init; } = 4.0;

    /// <summary>
    /// Share of a detected, unpaired hair's centreline samples that must fall on a changed region
    /// for that hair to explain it (the detector already counted it as gained or lost). Default 0.3.
    /// </summary>
    public double ExplainedOverlapFraction { get; init; } = 0.3;

    /// <summary>
    /// A changed region holds k shafts side by side when at least this share of its length shows k
    /// separate runs across its axis. Default 0.4 (two hairs leaving one opening touch near it).
    /// </summary>
    public double MinSeparateShaftFraction { get; init; } = 0.4;

    /// <summary>Returns the problems with these options; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!(BlurSigmaPixels >= 0)) errors.Add("BlurSigmaPixels must not be negative.");
        if (!(ThresholdNoiseSigmas > 0)) errors.Add("ThresholdNoiseSigmas must be positive.");
        if (!(MinThresholdLightness >= 0)) errors.Add("MinThresholdLightness must not be negative.");
        if (!(SupportNoiseSigmas > 0)) errors.Add("SupportNoiseSigmas must be positive.");
        if (MinSupportContrastFraction is < 0 or > 1) errors.Add("MinSupportContrastFraction must be in [0, 1].");
        if (!(BackgroundReferenceWidths > 0)) errors.Add("BackgroundReferenceWidths must be positive.");
        if (!(MinSupportLightness >= 0)) errors.Add("MinSupportLightness must not be negative.");
        if (ExistingShaftMarginPixels < 0) errors.Add("ExistingShaftMarginPixels must not be negative.");
        if (!(MinLengthMicrometres > 0)) errors.Add("MinLengthMicrometres must be positive.");
        if (!(MinMeanWidthMicrometres > 0)) errors.Add("MinMeanWidthMicrometres must be positive.");
        if (!(MaxMeanWidthReferenceWidths > 0)) errors.Add("MaxMeanWidthReferenceWidths must be positive.");
        if (!(MinElongation >= 1)) errors.Add("MinElongation must be at least 1.");
        if (MinSeparateShaftFraction is <= 0 or > 1) errors.Add("MinSeparateShaftFraction must be in (0, 1].");
        if (ExplainedOverlapFraction is <= 0 or > 1) errors.Add("ExplainedOverlapFraction must be in (0, 1].");
        return errors;
    }
}
