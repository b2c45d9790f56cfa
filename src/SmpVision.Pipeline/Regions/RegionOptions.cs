namespace SmpVision.Pipeline.Regions;

/// <summary>
/// Options of the region stage (hair-bearing / thinning / hairless / scar / off-scalp). Every
/// default is documented with where it comes from; every one can be overridden.
/// </summary>
public sealed record RegionOptions
{
    /// <summary>
    /// Follicles (FU centres, or hairs when no units are given) expected inside one density kernel
    /// (area 2*pi*sigma^2) at the reference density; sets the kernel width. Default 25: the count's
    /// Poisson relative error is then 1/sqrt(25) = 20%, under the ~22% loss a dermatologist
    /// perceives (docs/DOMAIN-SOURCES.md), so the field is not noisier than the loss it must show. At ~80-100
    /// FU/cm2 this is a sigma of ~2 mm: a 70x frame (3.5 x 2.8 mm) holds about one kernel.
    /// </summary>
    public double KernelExpectedFollicles { get; init; } = 25;

    /// <summary>
    /// Smallest kernel sigma in millimetres (with a scale). Default 0.5 mm, the lower end of the
    /// 0.5-1 mm radius the brief names: below it the field would resolve single follicles.
    /// </summary>
    public double MinKernelSigmaMillimetres { get; init; } = 0.5;

    /// <summary>Whether the density field counts follicular-unit centres (true, default) or hair
    /// emergence points. Units are less clustered (hairs of one unit always move together), so the
    /// same kernel gives a steadier field; hairs are used when no units are given.</summary>
    public bool DensityFromFollicularUnits { get; init; } = true;

    /// <summary>
    /// Local density relative to the reference below which scalp counts as thinning. Default
    /// 0.78: the smallest loss a dermatologist perceives is ~22% relative (NYU study, docs/DOMAIN-SOURCES.md).
    /// </summary>
    public double ThinningBelowRelativeDensity { get; init; } = 0.78;

    /// <summary>
    /// Local density (relative to the reference) below which a hair-free disc is a hairless core.
    /// Default 0.7: a hairless patch about one kernel wide only pulls the smoothed field down to
    /// ~0.6 at its centre, so the empty disc carries the decision and this test only stops cores
    /// inside scalp of normal density; project choice, docs/DOMAIN-SOURCES.md gives no figure.
    /// </summary>
    public double HairlessBelowRelativeDensity { get; init; } = 0.7;

    /// <summary>
    /// Radius of the hair-free disc a hairless core must hold, in follicle spacings of the scalp
    /// around it (spacing = 1/sqrt(density); never fewer reference spacings). Default 2.5: under a
    /// Poisson layout such a disc is empty with probability exp(-pi*6.25) ~ 3e-9, so even the
    /// many overlapping positions of a 20x frame and the local-density error near a thinning edge
    /// leave thinning scalp out (measured on generated frames at 50 px/mm: 2.0 still called a
    /// patch of 44%-density thinning scalp hairless); the price is that a hairless patch must be
    /// over ~5 spacings (~5.5 mm at 80 FU/cm2) across.
    /// </summary>
    public double HairlessEmptyDiscSpacings { get; init; } = 2.5;

    /// <summary>
    /// Fewest follicle spacings (at the reference density) the frame's short side must span for
    /// thinning and hairless to be mapped locally. Default 6: the density kernel's sigma is ~2
    /// spacings (<see cref="KernelExpectedFollicles"/>) and a hairless core 5 spacings across, so a
    /// smaller frame holds about one density sample. At ~80 FU/cm2 (spacing ~1.1 mm) that is a
    /// field of ~6.7 mm, met by 20x dermoscopes (1280 px at up to ~190 px/mm) and not by the 70x dev
    /// frames (2.8 mm, docs/DOMAIN-SOURCES.md); below it the map carries a warning and no thinning/hairless.
    /// </summary>
    public double MinFrameSpacingsForDensityRegions { get; init; } = 6;

    /// <summary>
    /// Lowest surrounding density (relative to the reference) used to size the empty disc a
    /// hairless core needs (radius = <see cref="HairlessEmptyDiscSpacings"/> / sqrt(surrounding
    /// density) reference spacings). Default 0.25: below the ~30-50% of normal seen in thinning
    /// scalp (Vecchio 2002, docs/DOMAIN-SOURCES.md), so the disc never needs more than 2x the reference radius
    /// and a patch in a nearly bald frame can still be found.
    /// </summary>
    public double HairlessSurroundFloorRelativeDensity { get; init; } = 0.25;

    /// <summary>
    /// Radius of the hair-free discs that make up a hairless area around its core, in follicle
    /// spacings. Default 1.0: the area's edge then follows the last hairs to within ~1 spacing
    /// instead of the blurred density field, while such discs are rare enough in normal scalp
    /// (Poisson: exp(-pi) = 4%, less with shafts) not to link up across it.
    /// </summary>
    public double HairlessExtentDiscSpacings { get; init; } = 1.0;

    /// <summary>
    /// How far the hairless edge is moved inwards from the envelope of the empty discs, in
    /// follicle spacings. The discs reach out to the first follicles beyond the true edge; for a
    /// Poisson layout the follicle nearest to a point of a straight edge lies on average
    /// sqrt(1/(2*density)) = 0.71 spacings away, and the disc envelope, which rests on the
    /// innermost follicles of a stretch of edge, somewhat less. Default 0.5 spacings (project
    /// derivation, no docs/DOMAIN-SOURCES.md figure); 0 keeps the envelope.
    /// </summary>
    public double HairlessEdgeInsetSpacings { get; init; } = 0.5;

    /// <summary>
    /// Reference density when the image holds too few follicles for its own and none is given,
    /// in FU/cm2 (needs a scale). The analyzer sets it to the plan's fallback (the clinic's value,
    /// else the zone default: PlanningOptions.FallbackReferenceFollicularUnitsPerSquareCentimetre),
    /// so regions and plan use one reference. Default 100, the default zone's (Caucasian ~100
    /// FU/cm2, Tsai 2002; Birnbaum 2017; docs/DOMAIN-SOURCES.md).
    /// </summary>
    public double FallbackReferenceFollicularUnitsPerSquareCentimetre { get; init; } = 100;

    /// <summary>
    /// Lowest population mean density, FU/cm2: Chinese 72 FU/cm2 (Tsai 2002, docs/DOMAIN-SOURCES.md),
    /// so no population's normal scalp is below it. Only the floor on the in-image reference
    /// (<see cref="MinInImageReferenceRelativeToFallback"/>) uses it; it is not a reference. Default 72.
    /// </summary>
    public double PopulationMinimumFollicularUnitsPerSquareCentimetre { get; init; } = 72;

    /// <summary>
    /// Lowest in-image reference accepted, as a fraction of
    /// <see cref="PopulationMinimumFollicularUnitsPerSquareCentimetre"/> (needs a scale). Default
    /// 0.78, the perceivable-loss threshold (~22% relative, docs/DOMAIN-SOURCES.md): a frame whose densest scalp
    /// is below 0.78 x 72 = 56 FU/cm2 (lowest population mean, Tsai 2002) holds little or no
    /// normal scalp, and its own density would call its thinning scalp normal. Measured on
    /// generated 100 px/mm thinning + bald frames (a 12.8 x 10.2 mm field nearly filled by the
    /// bald patch and the thinning side): the in-image reference settled at 29-41 FU/cm2, the
    /// thinning scalp's own density. 0 turns the floor off.
    /// </summary>
    public double MinInImageReferenceRelativeToFallback { get; init; } = 0.78;

    /// <summary>
    /// Reference density to judge thinning against, in follicles/cm2 of the counted kind (FU/cm2
    /// by default, hairs/cm2 with <see cref="DensityFromFollicularUnits"/> false), e.g. measured
    /// on the same patient's occipital frame. Null (default): the patient's own hair-bearing
    /// density in this image (the occiput is the patient's own reference, Rakowska 2009,
    /// docs/DOMAIN-SOURCES.md). Needs a scale.
    /// </summary>
    public double? ReferenceFolliclesPerSquareCentimetre { get; init; }

    /// <summary>
    /// Quantile of the local density field used to seed the in-image reference, which is then
    /// refined to the mean field over the cells above
    /// <see cref="ReferenceCellsAboveRelativeDensity"/> of it until it settles. Default 0.9.
    /// </summary>
    public double ReferenceSeedQuantile { get; init; } = 0.9;

    /// <summary>
    /// Cells whose smoothed density is at least this fraction of the current reference are
    /// counted into the in-image reference. Default 0.75: just under the 0.78 thinning threshold
    /// (22% perceivable loss, docs/DOMAIN-SOURCES.md), so the reference is the density of the scalp that the
    /// map calls hair-bearing, with its noisy low cells (the kernel's 20% Poisson error) kept so
    /// the estimate does not drift up by picking only positive noise; thinning scalp (~0.3-0.5 of
    /// normal, Vecchio 2002 in docs/DOMAIN-SOURCES.md) stays out.
    /// </summary>
    public double ReferenceCellsAboveRelativeDensity { get; init; } = 0.75;

    /// <summary>
    /// Minimum follicles counted in the image for an in-image reference. Default 25 (Poisson
    /// relative error 20%, as <see cref="KernelExpectedFollicles"/>); with fewer the fallback
    /// reference is used.
    /// </summary>
    public int MinFolliclesForInImageReference { get; init; } = 25;

    /// <summary>Whether scar detection runs. Default true.</summary>
    public bool DetectScars { get; init; } = true;

    /// <summary>
    /// Minimum CIE76 colour difference (Lab) between a hair-free candidate and the surrounding
    /// normal skin for it to count as scar. Default 6: clearly above the ~2-3 units of
    /// skin-tone variation inside one frame and in the range a viewer sees as a different colour
    /// ("lighter, pinker, hypo/hyperpigmented", docs/DOMAIN-SOURCES.md Scars).
    /// </summary>
    public double ScarMinColourDifference { get; init; } = 6.0;

    /// <summary>
    /// Maximum local texture (standard deviation of L* on skin pixels) of a scar relative to the
    /// normal skin's median texture. Default 0.75: scars are smooth, without follicular openings
    /// (docs/DOMAIN-SOURCES.md Scars; brief).
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
    /// ~4 mm; not in docs/DOMAIN-SOURCES.md, overridable).
    /// </summary>
    public double PunctateMaxDiameterMillimetres { get; init; } = 1.5;

    /// <summary>
    /// Whether the punctate (FUE punch) scar detector runs (needs a scale). Default true. It looks
    /// for small round off-colour discs without follicles inside, whose shafts from neighbouring
    /// follicles may still cross them, which the area detector (hair-free smooth cells) misses.
    /// </summary>
    public bool DetectPunctateScars { get; init; } = true;

    /// <summary>
    /// Smallest equivalent diameter of a punctate disc, in millimetres. Default 0.5 mm: the
    /// smallest scar kept (<see cref="ScarMinAreaSquareMillimetres"/>), under the ~0.8-1.0 mm of
    /// an FUE punch (practice; not in docs/DOMAIN-SOURCES.md), so that a disc whose edge blends is still found.
    /// The largest is <see cref="PunctateMaxDiameterMillimetres"/>.
    /// </summary>
    public double PunctateMinDiameterMillimetres { get; init; } = 0.5;

    /// <summary>
    /// Smallest roundness of a punctate disc: its area over the area of its minimum enclosing
    /// circle (1 for a disc, ~0.25 for a 4:1 streak). Default 0.5.
    /// </summary>
    public double PunctateMinRoundness { get; init; } = 0.5;

    /// <summary>
    /// Largest fine texture (std of L* minus its blur at a third of the colour window, ~0.05 mm)
    /// in a punctate disc's core, relative to the frame's median over the analysable scalp.
    /// Default 1.0: the core of a generated punch (skin texture a quarter of normal) measured
    /// 0.67-1.2x at 50 px/mm, because shafts of neighbouring hairs cross it and their blurred
    /// margins outside the hair mask add texture; pale off-colour blotches of normal skin measured
    /// 1.17-1.64x. Weak evidence on its own: colour, size, roundness, no follicle inside and the
    /// number of discs carry the decision.
    /// </summary>
    public double PunctateMaxRelativeFineTexture { get; init; } = 1.0;

    /// <summary>
    /// Discs needed in one frame before punctate discs are accepted at the plain scar colour
    /// threshold. Default 2: FUE leaves many punches scattered over the donor area, while one pale
    /// disc alone may be a skin fleck or a reflection.
    /// </summary>
    public int PunctateMinDiscsInField { get; init; } = 2;

    /// <summary>
    /// A lone disc (fewer than <see cref="PunctateMinDiscsInField"/> in the frame) is kept only
    /// when its median colour difference is at least this multiple of
    /// <see cref="ScarMinColourDifference"/>. Default 1.5 (a 70x frame holds one or two punches).
    /// </summary>
    public double PunctateLoneDiscColourFactor { get; init; } = 1.5;

    /// <summary>
    /// Equivalent diameter in millimetres at or below which a round scar is a plug scar; larger
    /// round scars are surgical/traumatic. Default 6 mm (practice, as above).
    /// </summary>
    public double PlugMaxDiameterMillimetres { get; init; } = 6.0;

    /// <summary>
    /// Smallest scar kept, in mm2 (with a scale). Default 0.2 mm2 (a disc 0.5 mm across): smaller
    /// than an FUE punch scar (~0.8 mm, practice), larger than the pale flecks of normal skin.
    /// </summary>
    public double ScarMinAreaSquareMillimetres { get; init; } = 0.2;

    /// <summary>Polygon simplification tolerance in pixels (Douglas-Peucker). Default 1.5 px.</summary>
    public double PolygonTolerancePixels { get; init; } = 1.5;

    /// <summary>
    /// Pixel size the region stage works at, in micrometres, with a scale. The frame is reduced by
    /// the whole factor nearest to this over the frame's pixel size (dividing both sides); the
    /// label map and region ids are enlarged back to the frame (off-scalp from the exact
    /// analysable mask), polygons and pixel areas are given in frame pixels. Default 5.5 um, the
    /// hair segmentation's working scale (<c>HairSegmentationOptions.WorkingMicrometresPerPixel</c>):
    /// the finest structures the stage decides on are its colour cells (half the 0.15 mm texture
    /// window, 75 um) and the 0.05 mm2 smallest region, 14 and 1600 working pixels across/in.
    /// On real 70x frames (~361 px/mm, 2.8 um) this halves each side (the stage took ~26 ms of
    /// ~100 ms per frame, most of it full-resolution mask work); at 20x (~50 px/mm, 20 um) nothing
    /// changes. Without a scale the stage runs at full resolution. Set to 0 for full resolution always.
    /// </summary>
    public double WorkingMicrometresPerPixel { get; init; } = 5.5;

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

        Positive(KernelExpectedFollicles, nameof(KernelExpectedFollicles));
        Positive(MinKernelSigmaMillimetres, nameof(MinKernelSigmaMillimetres));
        Positive(MinFrameSpacingsForDensityRegions, nameof(MinFrameSpacingsForDensityRegions));
        Positive(HairlessExtentDiscSpacings, nameof(HairlessExtentDiscSpacings));
        Positive(FallbackReferenceFollicularUnitsPerSquareCentimetre, nameof(FallbackReferenceFollicularUnitsPerSquareCentimetre));
        Positive(PopulationMinimumFollicularUnitsPerSquareCentimetre, nameof(PopulationMinimumFollicularUnitsPerSquareCentimetre));
        Positive(ScarMinAreaSquareMillimetres, nameof(ScarMinAreaSquareMillimetres));
        Positive(HairlessEmptyDiscSpacings, nameof(HairlessEmptyDiscSpacings));
        Positive(ScarMinColourDifference, nameof(ScarMinColourDifference));
        Positive(ScarMaxRelativeTexture, nameof(ScarMaxRelativeTexture));
        Positive(TextureWindowMillimetres, nameof(TextureWindowMillimetres));
        Positive(TextureWindowFractionOfShortSideWithoutScale, nameof(TextureWindowFractionOfShortSideWithoutScale));
        Positive(MinRegionAreaSquareMillimetres, nameof(MinRegionAreaSquareMillimetres));
        Positive(MinRegionAreaFractionWithoutScale, nameof(MinRegionAreaFractionWithoutScale));
        Positive(PunctateMaxDiameterMillimetres, nameof(PunctateMaxDiameterMillimetres));
        Positive(PlugMaxDiameterMillimetres, nameof(PlugMaxDiameterMillimetres));
        Positive(PunctateMinDiameterMillimetres, nameof(PunctateMinDiameterMillimetres));
        Positive(PunctateMinRoundness, nameof(PunctateMinRoundness));
        Positive(PunctateMaxRelativeFineTexture, nameof(PunctateMaxRelativeFineTexture));
        Positive(PunctateLoneDiscColourFactor, nameof(PunctateLoneDiscColourFactor));
        if (PunctateMinDiscsInField < 1)
        {
            errors.Add($"{nameof(PunctateMinDiscsInField)} must be at least 1.");
        }

        if (PunctateMinDiameterMillimetres >= PunctateMaxDiameterMillimetres)
        {
            errors.Add($"{nameof(PunctateMinDiameterMillimetres)} must be under {nameof(PunctateMaxDiameterMillimetres)}.");
        }

        Positive(PolygonTolerancePixels, nameof(PolygonTolerancePixels));
        if (!(WorkingMicrometresPerPixel >= 0) || double.IsInfinity(WorkingMicrometresPerPixel))
        {
            errors.Add($"{nameof(WorkingMicrometresPerPixel)} must be 0 (full resolution) or a positive finite number (was {WorkingMicrometresPerPixel}).");
        }

        if (!(ThinningBelowRelativeDensity > 0 && ThinningBelowRelativeDensity < 1))
        {
            errors.Add($"{nameof(ThinningBelowRelativeDensity)} must be in (0, 1).");
        }

        if (!(HairlessBelowRelativeDensity > 0 && HairlessBelowRelativeDensity < ThinningBelowRelativeDensity))
        {
            errors.Add($"{nameof(HairlessBelowRelativeDensity)} must be in (0, {nameof(ThinningBelowRelativeDensity)}).");
        }

        if (!(ReferenceCellsAboveRelativeDensity > 0 && ReferenceCellsAboveRelativeDensity < 1))
        {
            errors.Add($"{nameof(ReferenceCellsAboveRelativeDensity)} must be in (0, 1).");
        }

        if (!(ReferenceSeedQuantile > 0 && ReferenceSeedQuantile <= 1))
        {
            errors.Add($"{nameof(ReferenceSeedQuantile)} must be in (0, 1].");
        }

        if (!(HairlessSurroundFloorRelativeDensity > 0 && HairlessSurroundFloorRelativeDensity <= 1))
        {
            errors.Add($"{nameof(HairlessSurroundFloorRelativeDensity)} must be in (0, 1].");
        }

        if (!(HairlessEdgeInsetSpacings >= 0 && HairlessEdgeInsetSpacings < HairlessExtentDiscSpacings))
        {
            errors.Add($"{nameof(HairlessEdgeInsetSpacings)} must be in [0, {nameof(HairlessExtentDiscSpacings)}).");
        }

        if (ReferenceFolliclesPerSquareCentimetre is { } r && !(r > 0 && !double.IsInfinity(r)))
        {
            errors.Add($"{nameof(ReferenceFolliclesPerSquareCentimetre)} must be positive when given.");
        }

        if (!(MinInImageReferenceRelativeToFallback >= 0 && MinInImageReferenceRelativeToFallback <= 1))
        {
            errors.Add($"{nameof(MinInImageReferenceRelativeToFallback)} must be in [0, 1].");
        }

        if (MinFolliclesForInImageReference < 1)
        {
            errors.Add($"{nameof(MinFolliclesForInImageReference)} must be at least 1.");
        }

        if (HairlessExtentDiscSpacings > HairlessEmptyDiscSpacings)
        {
            errors.Add($"{nameof(HairlessExtentDiscSpacings)} must not exceed {nameof(HairlessEmptyDiscSpacings)}.");
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
