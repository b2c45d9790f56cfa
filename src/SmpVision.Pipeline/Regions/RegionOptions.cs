namespace SmpVision.Pipeline.Regions;

/// <summary>
/// Options of the region stage (hair-bearing / thinning / hairless / scar / off-scalp). Every
/// default is documented with where it comes from; every one can be overridden.
/// </summary>
public sealed record RegionOptions
{
    /// <summary>
    /// Gaussian sigma of the local density field, in millimetres (used when a scale is known).
    /// Default 0.5 mm: the brief asks for a 0.5-1 mm radius; at ~100 FU/cm2 (Tsai 2002,
    /// DOMAIN.md) follicles sit ~1 mm apart (Rassman 2015, DOMAIN.md), so a 0.5 mm sigma
    /// (1 mm wide kernel) averages a handful of openings while keeping region edges sharp.
    /// </summary>
    public double DensityKernelSigmaMillimetres { get; init; } = 0.5;

    /// <summary>
    /// Gaussian sigma of the density field as a fraction of the shorter image side, used only
    /// without a scale (overhead photos), where millimetres are unknown. Default 0.04.
    /// </summary>
    public double DensityKernelSigmaFractionOfShortSideWithoutScale { get; init; } = 0.04;

    /// <summary>
    /// Local density relative to the reference below which scalp counts as thinning. Default
    /// 0.78: the smallest loss a dermatologist perceives is ~22% relative (NYU study, DOMAIN.md).
    /// </summary>
    public double ThinningBelowRelativeDensity { get; init; } = 0.78;

    /// <summary>
    /// Local density relative to the reference below which scalp counts as hairless (when it
    /// also holds an empty disc, see <see cref="HairlessEmptyDiscSpacings"/>). Default 0.2:
    /// project choice, "almost no hair" = under a fifth of the patient's own density; DOMAIN.md
    /// gives no figure.
    /// </summary>
    public double HairlessBelowRelativeDensity { get; init; } = 0.2;

    /// <summary>
    /// Radius of the hair-free disc a hairless area must hold, in mean inter-hair spacings at
    /// the reference density (spacing = 1/sqrt(density)). Default 1.5: under a Poisson layout
    /// at the reference density such a disc is empty with probability exp(-pi*1.5^2) &lt; 0.1%,
    /// so normal scalp is not called hairless by chance.
    /// </summary>
    public double HairlessEmptyDiscSpacings { get; init; } = 1.5;

    /// <summary>
    /// Reference hair density in hairs/cm2 to judge thinning against (e.g. measured on the same
    /// patient's occipital frame). Null (default): the patient's own hair-bearing density in this
    /// image (the occiput is the patient's own reference, Rakowska 2009, DOMAIN.md). Needs a scale.
    /// </summary>
    public double? ReferenceHairsPerSquareCentimetre { get; init; }

    /// <summary>
    /// Quantile of the local density field used to seed the in-image reference, which is then
    /// refined to the mean density of the pixels above the thinning threshold. Default 0.9.
    /// </summary>
    public double ReferenceSeedQuantile { get; init; } = 0.9;

    /// <summary>
    /// Minimum number of hairs in the image for an in-image reference; with fewer the density
    /// field is noise (Poisson relative error 1/sqrt(N) = 33% at 9) and everything is labelled
    /// from the empty-disc rule only. Default 8.
    /// </summary>
    public int MinHairsForInImageReference { get; init; } = 8;

    /// <summary>Whether scar detection runs. Default true.</summary>
    public bool DetectScars { get; init; } = true;

    /// <summary>
    /// Minimum CIE76 colour difference (Lab) between a hair-free candidate and the surrounding
    /// normal skin for it to count as scar. Default 6: clearly above the ~2-3 units of
    /// skin-tone variation inside one frame and in the range a viewer sees as a different colour
    /// ("lighter, pinker, hypo/hyperpigmented", DOMAIN.md Scars).
    /// </summary>
    public double ScarMinColourDifference { get; init; } = 6.0;

    /// <summary>
    /// Maximum local texture (standard deviation of L* on skin pixels) of a scar relative to the
    /// normal skin's median texture. Default 0.75: scars are smooth, without follicular openings
    /// (DOMAIN.md Scars; brief).
    /// </summary>
    public double ScarMaxRelativeTexture { get; init; } = 0.75;

    /// <summary>
    /// Scale of the texture and colour windows, in millimetres. Default 0.15 mm: a few
    /// follicular-opening diameters at 70x.
    /// </summary>
    public double TextureWindowMillimetres { get; init; } = 0.15;

    /// <summary>Texture/colour window as a fraction of the shorter image side without a scale. Default 0.015.</summary>
    public double TextureWindowFractionOfShortSideWithoutScale { get; init; } = 0.015;

    /// <summary>
    /// Smallest region kept, in square millimetres (with a scale). Smaller islands are merged into
    /// the surrounding class. Default 0.05 mm2 (a disc 0.25 mm wide): larger than one follicular
    /// opening, smaller than an FUE punch scar (~0.8 mm, practice).
    /// </summary>
    public double MinRegionAreaSquareMillimetres { get; init; } = 0.05;

    /// <summary>Smallest region kept as a fraction of the analysed area, without a scale. Default 0.002.</summary>
    public double MinRegionAreaFractionWithoutScale { get; init; } = 0.002;

    /// <summary>
    /// Elongation (long side / short side of the minimum-area rectangle) at or above which a
    /// scar is a linear strip (FUT). Default 3.
    /// </summary>
    public double StripMinElongation { get; init; } = 3.0;

    /// <summary>
    /// Equivalent diameter in millimetres at or below which a round scar is a punctate FUE scar;
    /// above it a plug scar. Default 1.5 mm (practice: FUE punches are ~0.8-1.2 mm, old plugs
    /// ~4 mm; not in DOMAIN.md, overridable).
    /// </summary>
    public double PunctateMaxDiameterMillimetres { get; init; } = 1.5;

    /// <summary>
    /// Equivalent diameter in millimetres at or below which a round scar is a plug scar; larger
    /// round scars are surgical/traumatic. Default 6 mm (practice, as above).
    /// </summary>
    public double PlugMaxDiameterMillimetres { get; init; } = 6.0;

    /// <summary>Polygon simplification tolerance in pixels (Douglas-Peucker). Default 1.5 px.</summary>
    public double PolygonTolerancePixels { get; init; } = 1.5;

    /// <summary>Returns the list of problems with these options; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        void Positive(double v, string name)
        {
            if (!(v > 0) || double.IsInfinity(v))
            {
                errors.Add($"{name} must be a positive finite number (was {v}).");
            }
        }

        Positive(DensityKernelSigmaMillimetres, nameof(DensityKernelSigmaMillimetres));
        Positive(DensityKernelSigmaFractionOfShortSideWithoutScale, nameof(DensityKernelSigmaFractionOfShortSideWithoutScale));
        Positive(HairlessEmptyDiscSpacings, nameof(HairlessEmptyDiscSpacings));
        Positive(ScarMinColourDifference, nameof(ScarMinColourDifference));
        Positive(ScarMaxRelativeTexture, nameof(ScarMaxRelativeTexture));
        Positive(TextureWindowMillimetres, nameof(TextureWindowMillimetres));
        Positive(TextureWindowFractionOfShortSideWithoutScale, nameof(TextureWindowFractionOfShortSideWithoutScale));
        Positive(MinRegionAreaSquareMillimetres, nameof(MinRegionAreaSquareMillimetres));
        Positive(MinRegionAreaFractionWithoutScale, nameof(MinRegionAreaFractionWithoutScale));
        Positive(PunctateMaxDiameterMillimetres, nameof(PunctateMaxDiameterMillimetres));
        Positive(PlugMaxDiameterMillimetres, nameof(PlugMaxDiameterMillimetres));
        Positive(PolygonTolerancePixels, nameof(PolygonTolerancePixels));
        if (!(ThinningBelowRelativeDensity > 0 && ThinningBelowRelativeDensity < 1))
        {
            errors.Add($"{nameof(ThinningBelowRelativeDensity)} must be in (0, 1).");
        }

        if (!(HairlessBelowRelativeDensity > 0 && HairlessBelowRelativeDensity < ThinningBelowRelativeDensity))
        {
            errors.Add($"{nameof(HairlessBelowRelativeDensity)} must be in (0, {nameof(ThinningBelowRelativeDensity)}).");
        }

        if (!(ReferenceSeedQuantile > 0 && ReferenceSeedQuantile <= 1))
        {
            errors.Add($"{nameof(ReferenceSeedQuantile)} must be in (0, 1].");
        }

        if (ReferenceHairsPerSquareCentimetre is { } r && !(r > 0 && !double.IsInfinity(r)))
        {
            errors.Add($"{nameof(ReferenceHairsPerSquareCentimetre)} must be positive when given.");
        }

        if (MinHairsForInImageReference < 1)
        {
            errors.Add($"{nameof(MinHairsForInImageReference)} must be at least 1.");
        }

        if (!(StripMinElongation >= 1))
        {
            errors.Add($"{nameof(StripMinElongation)} must be at least 1.");
        }

        if (PlugMaxDiameterMillimetres <= PunctateMaxDiameterMillimetres)
        {
            errors.Add($"{nameof(PlugMaxDiameterMillimetres)} must exceed {nameof(PunctateMaxDiameterMillimetres)}.");
        }

        return errors;
    }
}
