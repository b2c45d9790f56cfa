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
    /// Relative darkness (local skin level minus pixel, over skin level, averaged over the colour
    /// channels) a hair pixel reaches at least. Relative, so it holds from light to dark skin and
    /// for light (grey, blond) shafts; seeds are also held to the frame's own darkest structures.
    /// Default 0.12.
    /// </summary>
    public double LowRelativeDarkness { get; init; } = 0.12;

    /// <summary>Relative darkness that seeds a hair: a hair region must hold at least one such pixel. Default 0.22.</summary>
    public double HighRelativeDarkness { get; init; } = 0.22;

    /// <summary>
    /// Within a dark region, a hair pixel reaches at least this fraction of the region's peak
    /// darkness: the half-maximum edge convention for line widths, so the shaft's dark halo and
    /// soft-focus blur are not read as shaft. Default 0.5.
    /// </summary>
    public double HalfMaximumFraction { get; init; } = 0.5;

    /// <summary>
    /// A pixel whose red is darker (relative to skin) than its blue by more than this is bluer
    /// than the skin, as blue marker dye and the blue-grey sub-surface shaft are, and is not hair.
    /// Default 0.15.
    /// </summary>
    public double MaxBlueShift { get; init; } = 0.15;

    /// <summary>
    /// ... and whose blue darkness is below this fraction of its red darkness. A neutral black or
    /// dark-brown shaft on red-brown or dark skin (ITA below ~10 deg, Chardon 1991 bands, DOMAIN.md)
    /// is darker in red than in blue by more than <see cref="MaxBlueShift"/> only because the skin
    /// is red, yet it is clearly dark in blue too; blue marker dye and the blue-grey sub-surface
    /// shaft are hardly darker than skin in blue. 1 restores the shift-only test. Default 0.5 (mixed
    /// seeds 401-410 and 501-520: shafts cut lengthwise by the veto 143 -> 87 and 198 -> 173 false; the dev set, ITA
    /// 15-55, is not affected by the gate below).
    /// </summary>
    public double BlueVetoMaxBlueToRedDarkness { get; init; } = 0.5;

    /// <summary>
    /// <see cref="BlueVetoMaxBlueToRedDarkness"/> applies only where the frame's median colour
    /// (its skin) has an ITA below this: red-brown and dark skin. Default 10 deg, the upper edge of
    /// the brown band (Chardon 1991, DOMAIN.md); lighter skin, where shafts are not darker in red
    /// than in blue, keeps the shift-only test that the dev set was tuned with.
    /// </summary>
    public double BlueVetoRatioMaxSkinItaDegrees { get; init; } = 10;

    /// <summary>
    /// Percentile of each channel (over the analysable area) taken as that channel's black level
    /// (lens flare, sensor offset) and subtracted before relative darkness, so that a colour cast of
    /// the dermoscope light (blue-lit frames) does not make black shafts read bluer than the skin.
    /// 0 turns it off. Default 0.5.
    /// </summary>
    public double BlackLevelPercentile { get; init; } = 0.5;

    /// <summary>Percentile of the frame's relative darkness taken as its darkest-structure level. Default 99.5.</summary>
    public double FramePeakPercentile { get; init; } = 99.5;

    /// <summary>
    /// A seed must also reach this fraction of the frame's darkest-structure level, so faint skin
    /// texture does not seed hairs where the shafts are dark. Default 0.55: at 0.65 intermediate
    /// and vellus shafts (lighter and more translucent than terminal ones) beside dark terminal
    /// shafts never seeded (generated frames: 13 of 69 missed hairs); 0.55 was chosen on the
    /// even-numbered dev patients (median abs count error 12.1% -> 11.4%) and checked on the odd ones (16.7%, unchanged).
    /// </summary>
    public double SeedFractionOfFramePeak { get; init; } = 0.55;

    /// <summary>
    /// Hair pixels must also reach this fraction of the frame's darkest-structure level, so that
    /// dark shafts do not grow into their halo and the skin texture around them. Default 0.42
    /// (chosen on the even-numbered dev patients, checked on the odd ones).
    /// </summary>
    public double LowFractionOfFramePeak { get; init; } = 0.42;

    /// <summary>Smallest length-to-width ratio (minimum-area rectangle) of a hair region. Default 1.5: short stubs still pass, round mottling does not.</summary>
    public double MinElongation { get; init; } = 1.5;

    /// <summary>Smallest area over convex-hull area of a hair region (shafts are nearly convex, mottling is ragged). Default 0.3: diverging FU shafts (a V) still pass.</summary>
    public double MinSolidity { get; init; } = 0.3;

    /// <summary>Smallest hair region, in square micrometres (a 30 um x 60 um stub). Default 1800.</summary>
    public double MinHairAreaSquareMicrometres { get; init; } = 1800;

    /// <summary>
    /// Thin light shafts (intermediate and vellus: thinner hairs are lighter and more translucent)
    /// beside dark terminal ones stay below the frame-relative seed. A second, lower hysteresis
    /// (seed at this fraction of the frame's darkest-structure level) adds only regions shaped
    /// like one thin straight shaft (see the ThinShaft limits below); skin texture that passes the
    /// lower levels is short, ragged or curved. 0 turns it off. Default 0.4.
    /// </summary>
    public double ThinShaftSeedFractionOfFramePeak { get; init; } = 0.4;

    /// <summary>Floor of the thin-shaft hysteresis, as a fraction of the frame's darkest-structure level. Default 0.3.</summary>
    public double ThinShaftLowFractionOfFramePeak { get; init; } = 0.3;

    /// <summary>
    /// A third, still lower hysteresis for vellus shafts (15-30 um, DOMAIN.md, and lighter than
    /// terminal ones), seeded at this fraction of the frame's darkest-structure level and kept under
    /// the same thin-straight-shaft limits; 0 turns it off. Default 0.3 (floor
    /// <see cref="VellusLowFractionOfFramePeak"/> 0.22): generated 1280x1024 frames at 180 px/mm, hair
    /// count median abs clean 401-410 4.0% -> 2.0%, clean 501-510 6.1% -> 4.9%, dev 501-510 6.9% -> 5.7%;
    /// the real dev set is unchanged at 14.3% (mean signed +3.7% -> +4.0%). It was off while a faint
    /// shaft found on one visit only broke follow-up pairing (Comparison/CommonGeometryTests seed 43);
    /// the comparison's differential evidence now counts such a shaft on both visits when the
    /// difference image shows no change (Comparison/README.md), so it is on (TRICHOSCOPY.md session 6).
    /// </summary>
    public double VellusSeedFractionOfFramePeak { get; init; } = 0.3;

    /// <summary>Floor of the vellus hysteresis, as a fraction of the frame's darkest-structure level. Default 0.22.</summary>
    public double VellusLowFractionOfFramePeak { get; init; } = 0.22;

    /// <summary>A thin-shaft region must be at least this long. Default 250 um (the counted-length floor of the density rule).</summary>
    public double ThinShaftMinLengthMicrometres { get; init; } = 250;

    /// <summary>... and at most this wide: intermediate shafts are under 60 um (DOMAIN.md). Default 60 um.</summary>
    public double ThinShaftMaxWidthMicrometres { get; init; } = 60;

    /// <summary>... and fill at least this share of its minimum-area rectangle (a straight shaft does, a curved furrow does not). Default 0.6.</summary>
    public double ThinShaftMinFill { get; init; } = 0.6;

    /// <summary>
    /// Widest core gap filled between the two thin dark rims of a hollow-looking shaft (grey or blond
    /// shafts on skin of nearly their lightness are darker than the skin only along their shaded
    /// edges; the rims lie about half a shaft width apart, and terminal shafts are rarely above
    /// 120 um, DOMAIN.md shaft width). 0 turns the fill off. Default 80 um.
    /// </summary>
    public double HollowShaftMaxGapMicrometres { get; init; } = 80;

    /// <summary>
    /// ... filled only where the rims' half-width (local maximum of the distance to the background)
    /// is at most this fraction of the filled shaft's: two separate shafts side by side are each
    /// about half their joined width and stay apart. Default 0.35.
    /// </summary>
    public double HollowShaftMaxRimToHalfWidth { get; init; } = 0.35;

    /// <summary>
    /// ... and only where the filled shaft is at most this wide: terminal shafts are rarely above
    /// 120 um (DOMAIN.md, shaft width), two hollow shafts side by side are wider. Default 120 um.
    /// </summary>
    public double HollowShaftMaxWidthMicrometres { get; init; } = 120;

    /// <summary>
    /// ... and only on frames whose darkest-structure level (<see cref="FramePeakPercentile"/>) is
    /// below this. A shaft's core falls under half its rims' darkness (the half-maximum edge then
    /// keeps two rims) only when the rims themselves are weak: with rims shaded ~35% darker than the
    /// core, the core contrast must be under ~0.26 and the rims under ~0.52. On frames of stronger
    /// shafts the fill would only bridge close shafts (mixed seed 726, dark-brown hair on dark
    /// skin: 85 -> 98 detections for 90). Default 0.5.
    /// </summary>
    public double HollowShaftMaxFramePeak { get; init; } = 0.5;

    /// <summary>
    /// Segment shafts as darker (<see cref="HairPolarity.Dark"/>) or lighter
    /// (<see cref="HairPolarity.Light"/>) than the skin regardless of the frame; null (default)
    /// decides per frame from the evidence of both (see <see cref="LightPolarityMinEvidenceRatio"/>).
    /// </summary>
    public HairPolarity? ForcedPolarity { get; init; }

    /// <summary>
    /// The light polarity wins only when its shaft evidence (contrast summed over its
    /// shaft-shaped mask) exceeds the dark polarity's by this factor. Blond, grey and white shafts
    /// are lighter than brown and dark skin (ITA below ~28 deg, Chardon 1991 bands, DOMAIN.md);
    /// dark shafts on any skin carry specular highlights and sit among glare spots, which are
    /// short and round and read far weaker. Default 2: on the dev set (dark hair, glare) the light
    /// evidence reaches at most 0.64 of the dark one; on generated light-hair frames the dark evidence
    /// is at most 0.32 of the light one (mixed seeds 301-306, 401-410, 501-520).
    /// </summary>
    public double LightPolarityMinEvidenceRatio { get; init; } = 2.0;

    /// <summary>
    /// Window of the broad skin level that each polarity's shaft pixels are compared with when
    /// weighing the evidence (a median, so shafts, a minority of it, do not move it). Default
    /// 1000 um: several times the longest spacing between neighbouring units at the lowest
    /// densities (~30 FU/cm2, DOMAIN.md), shorter than vignetting varies.
    /// </summary>
    public double PolaritySkinScaleMicrometres { get; init; } = 1000;

    /// <summary>
    /// Only shaft regions filling at least this share of their minimum-area rectangle count as
    /// evidence (straight parallel edges; glare sheen along skin folds is ragged). Default 0.5.
    /// </summary>
    public double PolarityMinFill { get; init; } = 0.5;

    /// <summary>
    /// ... and are at least this long (minimum-area rectangle): the visible-length floor of a counted
    /// hair (the density edge rule). Scale flakes and glare specks, lighter than the skin on any frame,
    /// are shorter; on a frame with few low-contrast dark shafts (brown hair on brown skin) their sum
    /// outweighed the shafts' evidence and the frame read light (mixed seed 811: 48 detections for 13
    /// hairs). Default 250 um.
    /// </summary>
    public double PolarityMinLengthMicrometres { get; init; } = 250;

    /// <summary>
    /// ... and reaches at least this evidence (contrast-weighted shaft area per analysable pixel),
    /// so that a frame with no visible hair is not read as light-haired. Default 0.001 (a tenth of a
    /// percent of the field covered by full-contrast shaft).
    /// </summary>
    public double LightPolarityMinEvidence { get; init; } = 0.001;

    // Session 10: colour-contrast shafts (grey or white hair differing from the skin mainly in chroma).

    /// <summary>
    /// The chroma path is tried only on frames read Dark whose dark shaft evidence is below this
    /// (contrast-weighted shaft area per analysable pixel): grey shafts of nearly the skin's lightness
    /// on pink or orange skin (mixed seed 828: L* 58 on L* 60, evidence 0.0031) leave little darkness.
    /// The real dev set reads dark evidence as low as ~0.0035, so this gate alone does not decide;
    /// the chroma path's own evidence must also win (<see cref="ChromaMinEvidenceRatio"/>). 0 turns
    /// the path off. Default 0.006.
    /// </summary>
    public double ChromaMaxDarkEvidence { get; init; } = 0.006;

    /// <summary>
    /// The chroma mask replaces the dark one only when its own shaft evidence (desaturation against
    /// the broad skin chroma, summed over straight regions at least <see cref="PolarityMinLengthMicrometres"/>
    /// long) exceeds the dark evidence by this factor, as the light polarity must. Default 2.
    /// </summary>
    public double ChromaMinEvidenceRatio { get; init; } = 2.0;

    /// <summary>
    /// ... and reaches at least this evidence, so that a frame with no visible hair does not switch.
    /// Default 0.002.
    /// </summary>
    public double ChromaMinEvidence { get; init; } = 0.002;

    /// <summary>
    /// Pixels lighter than the broad skin level by more than this fraction are left out of the chroma
    /// contrast: glare and specular sheen are neutral (desaturated) too, but light. Default 0.35:
    /// white shafts on light skin (mixed seed 701, ITA 52) are lighter than the skin, and at 0.1 only
    /// their shaded rims stayed (each shaft read as two thin ones: 38 detections for 25 hairs, 28 at 0.35).
    /// </summary>
    public double ChromaMaxRelativeLightness { get; init; } = 0.35;

    /// <summary>
    /// Pixels whose CIELAB b* is more than this below the frame's median b* (its skin) are taken as
    /// marker dye (blue dye: b* ~ -60 on skin of b* ~ +10). Relative to the frame, because a dermoscope
    /// light with a blue cast shifts the skin's b* below 0 (an absolute b* &lt; -8 cut made two real
    /// dev frames switch to the chroma path). A neutral shaft sits ~10-30 below skin of ITA from very
    /// light to brown (b* = (L* - 50) / tan ITA, Chardon 1991, DOMAIN.md). Default 35.
    /// </summary>
    public double ChromaDyeMinBlueness { get; init; } = 35;

    /// <summary>
    /// The chroma contrast is zero within this distance of dye pixels: between blue dye and skin the
    /// colour passes through neutral, so dye strokes have desaturated, shaft-shaped rims. Default
    /// 30 um (a few pixels of blur either side of the rim).
    /// </summary>
    public double ChromaDyeReachMicrometres { get; init; } = 30;

    // tri11: dark-shaft segmentation on the mixed preset.

    /// <summary>
    /// Size of the bright specks (white scale flakes, clustered on the scalp) removed by an opening
    /// before the flake-free skin level of <see cref="DarkSpeckFreeMinRelativeDarkness"/> is read.
    /// Default 50 um: wider than single flakes (the white speckle of the dev frames, ~10-40 um specks)
    /// and well under the 220 um closing (<see cref="BackgroundKernelMicrometres"/>), so broad skin
    /// lightness survives the opening. The opening only lowers bright detail, so shafts are unchanged
    /// in it. 0 turns the gate off.
    /// </summary>
    public double DarkSkinSpeckMicrometres { get; init; } = 50;

    /// <summary>
    /// A dark-path hair pixel must also be darker than the flake-free skin level (see
    /// <see cref="DarkSkinSpeckMicrometres"/>) by this relative margin, averaged over channels:
    /// plain skin between flake clusters is not (it reads only its mottling, a few percent), shafts
    /// are. Default 0.08, below the 0.12 hair floor (<see cref="LowRelativeDarkness"/>) because the
    /// flake-free level is lower than the closing, so a shaft's margin against it is smaller, and the
    /// lighter core and edges of low-contrast brown shafts on dark skin sit near it: at 0.12 the mixed
    /// tuning frames (701-730, 1101-1130, 1201-1230) read hair medians 0.5-0.9 points worse, at 0.08
    /// the skin between flake clusters is still dropped (seeds 1103, 1125; TRICHOSCOPY.md session 11).
    /// 0 turns the gate off.
    /// </summary>
    public double DarkSpeckFreeMinRelativeDarkness { get; init; } = 0.08;

    // tri13 (session 11): light and colour shafts.

    /// <summary>
    /// On frames read Light, chroma-path regions (relative desaturation, see <see cref="ChromaMaxDarkEvidence"/>)
    /// that overlap a light shaft region are added to it. A shaded cylinder's core is lighter than
    /// the skin but its rims darker (the light test keeps ~0.55-0.75 of a grey or white shaft's width,
    /// mixed seeds 1203, 1212, 1215), while a grey or white shaft is neutral across its whole width
    /// on skin of any ITA (skin is saturated, Chardon 1991, DOMAIN.md). Only regions touching a light
    /// shaft are added, so desaturated skin mottling does not become hair. Default true.
    /// </summary>
    public bool LightShaftChromaExtent { get; init; } = true;

    /// <summary>
    /// ... within this distance of the light region: its shaded rims. A terminal shaft is ~60-100 um
    /// wide (DOMAIN.md, shaft width) and the light test keeps ~0.55-0.75 of it, so each rim is ~10-20
    /// um. Further out the chroma region is skin between close shafts or a neighbour (with no reach
    /// limit blond frames on brown skin read 1.5x their hairs: mixed 1205 27 -> 42, 1213 31 -> 60 for
    /// 28, 42). Default 15 um: matched grey/white widths within ~7% of the truth (mixed 1203, 1212,
    /// 1215, 1219, 701, 714: 73-82 um for 69-78); at 20 um they read 8-18% wide, counts alike. 0 adds nothing.
    /// </summary>
    public double LightShaftRimMicrometres { get; init; } = 15;

    /// <summary>
    /// ... only on frames whose skin (median colour) has an ITA of at least this. On dark skin
    /// (Chardon 1991 "dark" band, ITA below -30 deg, DOMAIN.md) even the shaded rims of a grey or
    /// blond shaft are lighter than the skin, so the light test already keeps nearly its full width
    /// (mixed 303, 310: 59/64 and 53/68 um) and what the chroma regions add there is skin texture,
    /// which splits the shafts (303: 27 -> 38 detections for 27; 1205: 27 -> 36 for 28). Default -30.
    /// </summary>
    public double LightShaftExtentMinSkinItaDegrees { get; init; } = -30;

    // tri15 (session 12): pale (blond) shafts on dark reads.

    /// <summary>
    /// Frames read Dark (chroma path not taken) whose dark evidence is under this (fraction of the
    /// analysable area, as <see cref="ChromaMaxDarkEvidence"/>) are segmented again as pale shafts
    /// (<see cref="PaleShaftCore"/>): a blond shaft (L* ~60) on tan or light skin (L* ~56-68, Chardon
    /// 1991, DOMAIN.md) is darker than the skin only along its two shaded rims, so its dark evidence
    /// is low (mixed 1406, 1624, 1708, 1709: 1.3-2.6 per mille) while every real dev frame reads at
    /// least 3.5 per mille (session 10). 0 turns the pale pass off. Default 0.003.
    /// </summary>
    public double PaleShaftMaxDarkEvidence { get; init; } = 0.003;

    /// <summary>
    /// ... and at least this dark evidence: the pale passes fill between shaded rims, so a frame
    /// with no shaft-shaped dark structure at all (a hairless patch: evidence 0) has nothing to
    /// fill, and there the lower seed turned skin texture into shafts (8 false hairs over 40
    /// hairless 320 x 256 fixture frames of brown skin; 0 with this floor). Blond frames read
    /// 1.3-2.6 per mille (mixed 1401-1730), the faintest 0.30-0.46 (blond on tan/light skin, mixed
    /// 3036, 3040, 3104: 9 of 24 hairs found without the pass). Default 0.0001 (tri20, session 13; was
    /// 0.0005): hairless frames read exactly 0 (all 40 fixture frames), as evidence counts only
    /// shaft-shaped regions >= 250 um long, so any floor above 0 keeps them out.
    /// </summary>
    public double PaleShaftMinDarkEvidence { get; init; } = 0.0001;

    /// <summary>
    /// ... seed level of the pale pass's hysteresis (replaces <see cref="HighRelativeDarkness"/>,
    /// and caps <see cref="LowRelativeDarkness"/>, there). The rims of a shaft whose core is at the skin's
    /// lightness are shaded ~35% darker at most and blurred by the optics: 0.17-0.31 relative darkness
    /// (mixed 1406, 1708), partly under the default 0.22 seed. The light core (below) confirms a pale
    /// shaft, and the shape filters still apply. Default 0.16.
    /// </summary>
    public double PaleShaftHighRelativeDarkness { get; init; } = 0.16;

    /// <summary>
    /// ... in the pale pass, the gap between two thin dark rims (geometry of the hollow-shaft fill:
    /// <see cref="HollowShaftMaxGapMicrometres"/>, <see cref="HollowShaftMaxRimToHalfWidth"/>,
    /// <see cref="HollowShaftMaxWidthMicrometres"/>) is filled, before the edge smoothing whose 3 px
    /// opening would erase the 1-2 px rims, where the gap's mean grey level is lighter than the broad
    /// (1 mm) skin level by at least this Weber contrast. A blond core reads 0.06-0.23 lighter than the
    /// skin (mixed 1406, 1708); skin between two separate shafts averages the skin level (0 +- ~0.02).
    /// Default 0.03.
    /// </summary>
    public double PaleShaftMinCoreLightness { get; init; } = 0.03;

    /// <summary>
    /// On the other frames read Dark (chroma path not taken, pale pass not run) whose darkest structures
    /// are weak (<see cref="HollowShaftMaxFramePeak"/>, the hollow fill's own gate), the dark mask is
    /// rebuilt with gaps between thin rims (the hollow fill's geometry) filled, right after the
    /// hysteresis, where the gap is yellower than the skin by at least this: its mean red contrast minus
    /// its mean blue contrast, each a Weber contrast against that channel's 1 mm skin level. A blond
    /// shaft (b* ~22) on very light skin (ITA above ~55 deg: L* 68-80, b* ~0-11, Chardon 1991, DOMAIN.md)
    /// is darker than the skin at its rims but, in its core, darker in blue only (mixed 1703: blue
    /// 0.10-0.18, red 0.01-0.08), under the hollow fill's darkest-channel floor, so it read as two thin
    /// shafts. Blur and shading beside a dark rim darken all channels alike (~0: skin between two
    /// separate shafts stays open); marker dye is bluer, the opposite sign. 0 turns it off. Default 0.03
    /// (tri20, session 13; was 0.05): on skin of ITA ~60 with little blue (mixed 2104, b* 9) a blond core
    /// is yellower by only 0.05-0.06 at its centre and ~0.03-0.05 averaged over the gap (its edges take
    /// the rims' shading), so at 0.05 the shafts stayed split (25 splits, width 49 of 76 um; 12 and 65 um
    /// at 0.03). Gaps of that frame and of 1421/1726 read -0.12 to +0.02 in bulk (skin between shafts).
    /// Mixed 1401-2130: blond median 8.4 -> 7.9%, FU 8.7 -> 7.9%; other colours' medians unchanged.
    /// </summary>
    public double YellowCoreMinYellowness { get; init; } = 0.03;

    // tri16 (session 12): brown shafts on brown and dark skin.

    /// <summary>
    /// Widest light core filled between hair pixels of a hollow-looking brown shaft on the dark path
    /// (see <see cref="DarkShaftCores"/>): the shaded rims of a brown shaft on skin of nearly its
    /// lightness keep about half of its width between them (mixed seed 1718: 6 of 13 px at 180 px/mm),
    /// and terminal shafts are up to ~100-120 um wide (DOMAIN.md, shaft width), so 60 um spans the
    /// core of any terminal shaft. Skin between two shafts of a unit (30-60 um apart) is spanned too
    /// but not filled: it fails the darkness test below. 0 turns the fill off. Default 60 um.
    /// </summary>
    public double DarkCoreMaxGapMicrometres { get; init; } = 60;

    /// <summary>
    /// ... filled only where the pixel's darkest channel is darker than the flake-free skin level by
    /// at least this (0-1): a brown core is less red than red-brown skin (1718: 0.12-0.27 in red),
    /// plain skin reads its mottling only. Default 0.08, the flake gate's margin
    /// (<see cref="DarkSpeckFreeMinRelativeDarkness"/>): the same level separates plain skin from shaft.
    /// </summary>
    public double DarkCoreMinDarkness { get; init; } = 0.08;

    /// <summary>
    /// ... and only on frames whose skin (median colour) has an ITA below this: tan, brown and dark
    /// skin (Chardon 1991 bands, DOMAIN.md: under 28 deg) is redder than a brown shaft, so the core's
    /// darkest channel tells it from the skin. On lighter skin brown shafts are solid at half maximum
    /// (mixed 1402, 1411, 1422: within a few hairs), and what the fill met there were pale (grey,
    /// blond) shafts read dark, where it bridged close shafts (mixed 1611, grey on ITA 75: 65 -> 60
    /// for 70). Default 28.
    /// </summary>
    public double DarkCoreMaxSkinItaDegrees { get; init; } = 28;

    /// <summary>
    /// ... and only on frames whose darkest-structure level (<see cref="FramePeakPercentile"/> of the
    /// relative darkness) is below this: a core falls to the skin's level only when the rims are
    /// weak (with rims shaded ~35% darker than the core, rims under ~0.5; the darkness fill's
    /// <see cref="HollowShaftMaxFramePeak"/> uses the same figure). Black-shaft frames read 0.61-0.82
    /// on the mixed tuning frames 1401-1730, brown and dark-brown shafts on dark skin 0.42-0.6. Default
    /// 0.5. At 0.6 the fill also reaches 1602 (dark brown on ITA -54, peak 0.58: 68 -> 57 detections
    /// for 53) and the 120-frame FU median reads 4.3% instead of 4.4%, but dev seed 606 (brown on ITA
    /// 32) loses one of its 10 hairs (dev 601-610 median 10.6% -> 11.1%), so it is left at 0.5.
    /// </summary>
    public double DarkCoreMaxFramePeak { get; init; } = 0.5;

    // tri17 (session 12): grey shafts, the neutral extent of light reads.

    /// <summary>
    /// On frames read Light, the neutral (chroma) mask that gives a grey or white shaft its extent
    /// (<see cref="LightShaftChromaExtent"/>) is built with this glare cut instead of
    /// <see cref="ChromaMaxRelativeLightness"/>: a grey shaft on brown or dark skin is 40-60% lighter
    /// than the skin (grey L* ~58 against skin L* 36-45 at ITA -45 to -15, skin colour in DOMAIN.md),
    /// and at 0.35 its core was cut out of the mask (mixed 1711, 1717: 0.45 and 0.24 of the light
    /// mask neutral against 0.99 and 0.82 at 1.0). Glare is not a concern here: it is light, so it is
    /// already in the light mask or not, whatever the neutral mask holds. Default 1.0.
    /// </summary>
    public double LightShaftExtentMaxRelativeLightness { get; init; } = 1.0;

    /// <summary>
    /// ... and from a chroma image smoothed by a Gaussian of this sigma: per-pixel chroma noise of
    /// 8-bit frames is several CIELAB units, as large as a grey shaft's desaturation against skin,
    /// and the skin reference (a closing: the most saturated pixel nearby) takes the noise's maximum,
    /// so unsmoothed, skin read ~0.4 desaturated against ~0.7 for grey shafts and the hysteresis joined
    /// them into ragged regions the shape test dropped (mixed 1401: an empty neutral mask). 8 um (1.5
    /// px at 180 px/mm) is well under a terminal shaft's half width (30-50 um, DOMAIN.md), so shaft
    /// edges stay in place. 0 = no smoothing. Default 8.
    /// </summary>
    public double LightShaftExtentChromaSmoothMicrometres { get; init; } = 8;

    /// <summary>
    /// The frame's light shafts are neutral (grey or white) when at least this fraction of the light
    /// mask lies in the neutral mask; then light pixels away from every neutral body are dropped
    /// (<see cref="LightShaftNeutralReachMicrometres"/>), each light region takes its neutral body's
    /// extent on skin of any ITA, and lone neutral shafts are added (<see cref="LightShaftAddLoneNeutral"/>).
    /// Blond shafts are saturated: on mixed 1401-1730 blond light reads had 0.00-0.41 of their light
    /// mask neutral, grey 0.37 (1514, grey darker than its skin) to 0.99 and white 0.14-1.00; a half
    /// is the plain majority. Otherwise the session 11 extent applies unchanged. Above 1 the neutral
    /// extent is off. Default 0.5.
    /// </summary>
    public double LightShaftNeutralMinFraction { get; init; } = 0.5;

    /// <summary>
    /// Half-maximum fraction (<see cref="HalfMaximumFraction"/>) of the neutral mask's hysteresis.
    /// Skin does not read 0 desaturated against its own closing (its chroma varies, the closing takes
    /// the most saturated pixel), but ~0.2 of a shaft's peak; the shaft edge lies half-way between
    /// that floor and the peak, i.e. at ~0.6 of the peak. At 0.5 matched grey and white widths read
    /// 1.05-1.20 of the truth (mixed 1401, 1404, 1506, 1609, 1626, 1711), at 0.6 0.91-1.14, at 0.7
    /// 0.82-1.07. Default 0.6.
    /// </summary>
    public double LightShaftNeutralHalfMaximumFraction { get; init; } = 0.6;

    /// <summary>
    /// On neutral frames, neutral regions that touch no light region are added when shaped like a
    /// straight shaft (<see cref="ThinShaftMinLengthMicrometres"/> long, <see cref="ThinShaftMinFill"/>
    /// of their rectangle): a grey shaft on skin of nearly its own lightness, or in a darker corner of
    /// the field, is not lighter than the skin, yet as neutral as its neighbours (mixed 1626: 77 -> 82
    /// for 89). Default true.
    /// </summary>
    public bool LightShaftAddLoneNeutral { get; init; } = true;

    /// <summary>
    /// On neutral frames, light pixels of a region that overlaps a neutral body are kept only within
    /// this distance of it. Where a shaft leaves the skin it is seen through the epidermis for about
    /// half its width and takes the skin's colour there, so the neutral body stops short of the
    /// opening; half a terminal shaft's width (60-100 um, DOMAIN.md) keeps the opening's light pixels,
    /// while skin between close shafts (read light against their dark rims) lies further out. At 15 um
    /// (the rim reach) openings were clipped (mixed 1401-1730 FU median 4.6% against 4.4% at 35 um).
    /// Default 35 um.
    /// </summary>
    public double LightShaftNeutralReachMicrometres { get; init; } = 35;

    /// <summary>
    /// Sigma of the Gaussian smoothing of the chroma image on the chroma path itself (frames where
    /// neither polarity sees much, <see cref="ChromaMaxDarkEvidence"/>), for the same chroma-noise
    /// reason as <see cref="LightShaftExtentChromaSmoothMicrometres"/>. Default 0 (off): at 8 um on
    /// mixed 1401-1730 it improved the colour reads (1408 grey 69 -> 66 for 63, 1702 brown 117 -> 101
    /// for 68, 1722 grey 42 -> 43 for 37) but moved brown 1718 from Dark to Colour (38 -> 34 for 25,
    /// width 44 -> 76 um for 83): a polarity change outside grey hair, which session 12 must not make.
    /// </summary>
    public double ChromaPathSmoothMicrometres { get; init; }

    // tri19
    /// <summary>
    /// On frames read Colour, chroma-path regions shorter than this (minimum-area rectangle) are
    /// dropped from the shaft mask (<see cref="ChromaShaftShape"/>): mottled dark-skin texture reads as
    /// short squiggles. Default 250 um, the length the path's own evidence already requires
    /// (<see cref="PolarityMinLengthMicrometres"/>), about 3-5 shaft widths (Chardon 1991, DOMAIN.md).
    /// 0 turns the test off.
    /// </summary>
    public double ChromaMaskMinLengthMicrometres { get; init; } = 250;

    /// <summary>
    /// On frames read Colour, chroma-path regions filling less than this fraction of their
    /// minimum-area rectangle are dropped. Default 0 (off): crossing shafts merge into one region that
    /// fills little of its rectangle, and at 0.5 (as <see cref="PolarityMinFill"/>) mixed 1702 fell to
    /// 22 hairs for 68; at 0 it reads 84 (was 117), 1408 63/63 (was 69), 1722 34/37 (was 42).
    /// </summary>
    public double ChromaMaskMinFill { get; init; }

    // tri20 (session 13): blond hair.
    /// <summary>
    /// Chroma-path regions whose largest inscribed width (twice the distance-transform maximum) exceeds
    /// this are dropped before the path's evidence is measured (<see cref="BlondChromaBlobs"/>): broad
    /// desaturated skin patches are not shafts, and on blond frames they made the frame read Colour with
    /// no shaft found. Default 200 um: two terminal shafts (60-100 um, DOMAIN.md) side by side; grey
    /// shafts' chroma regions, crossings and merged pairs included, reach 188 um (mixed 2004, 1408),
    /// the patches 218-320 um (3170, 3173, 3154). 0 turns the test off.
    /// </summary>
    public double ChromaMaskMaxWidthMicrometres { get; init; } = 200;

    // tri21 (session 13): grey shafts read dark on light skin (hollow cores).

    /// <summary>
    /// Widest neutral core filled between hair pixels of a hollow-looking grey shaft on the dark path
    /// (see <see cref="GreyShaftCores"/>): the shaded rims of a grey shaft on skin of nearly its
    /// lightness keep each ~0.3 of its width and leave the middle ~0.5 (mixed 1892: t -0.5..0.4 of
    /// the half-width), and terminal shafts are up to ~100-120 um wide (DOMAIN.md, shaft width), so
    /// 60 um spans the core of any terminal shaft, as for <see cref="DarkCoreMaxGapMicrometres"/>. Skin
    /// between two close shafts is spanned too but not filled: it is not neutral. 0 turns the fill
    /// off. Default 60 um.
    /// </summary>
    public double GreyCoreMaxGapMicrometres { get; init; } = 60;

    /// <summary>
    /// ... only on frames whose skin (median colour) has an ITA at least this: light and very light
    /// skin (Chardon 1991 bands, DOMAIN.md: 28 deg and over), where a grey shaft has nearly the skin's
    /// lightness and its core reads neither dark nor light; below it <see cref="DarkShaftCores"/> fills
    /// hollow cores by their darkest channel, and grey on darker skin reads light. The fill also needs
    /// weak rims (frame peak under <see cref="DarkCoreMaxFramePeak"/>): black and dark shafts, neutral
    /// too, are solid at half maximum and read peaks of 0.6-0.8. Default 28.
    /// </summary>
    public double GreyCoreMinSkinItaDegrees { get; init; } = 28;

    /// <summary>
    /// On the frames the grey-core fill runs on (and whose dark mask is mostly neutral, at least
    /// <see cref="LightShaftNeutralMinFraction"/>), neutral regions touching no dark pixel are added
    /// when straight and at least <see cref="ThinShaftMinLengthMicrometres"/> long, as on neutral light
    /// reads (<see cref="LightShaftAddLoneNeutral"/>): a grey shaft of the skin's lightness has rims too
    /// faint for the dark test along its whole length (mixed 1902, grey on ITA 38: 12 of 38 found
    /// without, 26 with). Default true.
    /// </summary>
    public bool GreyCoreAddLoneNeutral { get; init; } = true;

    /// <summary>
    /// Where lone neutral shafts are added (neutral light reads, <see cref="LightShaftAddLoneNeutral"/>;
    /// grey dark reads, <see cref="GreyCoreAddLoneNeutral"/>), a lone neutral region that is long but
    /// not straight as a whole (two grey shafts crossing: one X-shaped region) adds its straight runs
    /// at least <see cref="ThinShaftMinLengthMicrometres"/> long (<see cref="GreyCrossingShafts"/>).
    /// Default true.
    /// </summary>
    public bool LoneNeutralCrossings { get; init; } = true;

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
        if (MaxBlueShift is < 0 or > 1) errors.Add("MaxBlueShift must be in [0, 1].");
        if (BlueVetoMaxBlueToRedDarkness is < 0 or > 1) errors.Add("BlueVetoMaxBlueToRedDarkness must be in [0, 1].");
        if (BlackLevelPercentile is < 0 or > 50) errors.Add("BlackLevelPercentile must be in [0, 50].");
        if (FramePeakPercentile is <= 0 or > 100) errors.Add("FramePeakPercentile must be in (0, 100].");
        if (SeedFractionOfFramePeak is < 0 or >= 1) errors.Add("SeedFractionOfFramePeak must be in [0, 1).");
        if (LowFractionOfFramePeak is < 0 or >= 1) errors.Add("LowFractionOfFramePeak must be in [0, 1).");
        if (ThinShaftSeedFractionOfFramePeak is < 0 or >= 1) errors.Add("ThinShaftSeedFractionOfFramePeak must be in [0, 1).");
        if (ThinShaftLowFractionOfFramePeak is < 0 or >= 1) errors.Add("ThinShaftLowFractionOfFramePeak must be in [0, 1).");
        if (VellusSeedFractionOfFramePeak is < 0 or >= 1) errors.Add("VellusSeedFractionOfFramePeak must be in [0, 1).");
        if (VellusLowFractionOfFramePeak is < 0 or >= 1) errors.Add("VellusLowFractionOfFramePeak must be in [0, 1).");
        if (ThinShaftMinLengthMicrometres < 0) errors.Add("ThinShaftMinLengthMicrometres must be >= 0.");
        if (ThinShaftMaxWidthMicrometres <= 0) errors.Add("ThinShaftMaxWidthMicrometres must be > 0.");
        if (ThinShaftMinFill is < 0 or > 1) errors.Add("ThinShaftMinFill must be in [0, 1].");
        if (HollowShaftMaxGapMicrometres < 0) errors.Add("HollowShaftMaxGapMicrometres must be >= 0.");
        if (HollowShaftMaxFramePeak is < 0 or > 1) errors.Add("HollowShaftMaxFramePeak must be in [0, 1].");
        if (HollowShaftMaxWidthMicrometres <= 0) errors.Add("HollowShaftMaxWidthMicrometres must be > 0.");
        if (HollowShaftMaxRimToHalfWidth is < 0 or > 1) errors.Add("HollowShaftMaxRimToHalfWidth must be in [0, 1].");
        if (LightPolarityMinEvidenceRatio <= 0) errors.Add("LightPolarityMinEvidenceRatio must be > 0.");
        if (PolaritySkinScaleMicrometres <= 0) errors.Add("PolaritySkinScaleMicrometres must be > 0.");
        if (PolarityMinFill is < 0 or > 1) errors.Add("PolarityMinFill must be in [0, 1].");
        if (PolarityMinLengthMicrometres < 0) errors.Add("PolarityMinLengthMicrometres must be >= 0.");
        if (LightPolarityMinEvidence < 0) errors.Add("LightPolarityMinEvidence must be >= 0.");
        if (ChromaMaxDarkEvidence < 0) errors.Add("ChromaMaxDarkEvidence must be >= 0.");
        if (LightShaftRimMicrometres < 0) errors.Add("LightShaftRimMicrometres must be >= 0.");
        if (ChromaMinEvidenceRatio <= 0) errors.Add("ChromaMinEvidenceRatio must be > 0.");
        if (ChromaMinEvidence < 0) errors.Add("ChromaMinEvidence must be >= 0.");
        if (ChromaDyeMinBlueness < 0) errors.Add("ChromaDyeMinBlueness must be >= 0.");
        if (ChromaDyeReachMicrometres < 0) errors.Add("ChromaDyeReachMicrometres must be >= 0.");
        if (ChromaMaxRelativeLightness < 0) errors.Add("ChromaMaxRelativeLightness must be >= 0.");
        if (LightShaftExtentMaxRelativeLightness < 0) errors.Add("LightShaftExtentMaxRelativeLightness must be >= 0.");
        if (LightShaftExtentChromaSmoothMicrometres < 0) errors.Add("LightShaftExtentChromaSmoothMicrometres must be >= 0.");
        if (LightShaftNeutralMinFraction < 0) errors.Add("LightShaftNeutralMinFraction must be >= 0.");
        if (LightShaftNeutralHalfMaximumFraction is < 0 or >= 1) errors.Add("LightShaftNeutralHalfMaximumFraction must be in [0, 1).");
        if (LightShaftNeutralReachMicrometres < 0) errors.Add("LightShaftNeutralReachMicrometres must be >= 0.");
        if (ChromaPathSmoothMicrometres < 0) errors.Add("ChromaPathSmoothMicrometres must be >= 0.");
        if (ChromaMaskMinLengthMicrometres < 0) errors.Add("ChromaMaskMinLengthMicrometres must be >= 0.");
        if (ChromaMaskMinFill is < 0 or > 1) errors.Add("ChromaMaskMinFill must be in [0, 1].");
        if (ChromaMaskMaxWidthMicrometres < 0) errors.Add("ChromaMaskMaxWidthMicrometres must be >= 0.");
        if (DarkSkinSpeckMicrometres < 0) errors.Add("DarkSkinSpeckMicrometres must be >= 0.");
        if (DarkSpeckFreeMinRelativeDarkness is < 0 or >= 1) errors.Add("DarkSpeckFreeMinRelativeDarkness must be in [0, 1).");
        if (PaleShaftMaxDarkEvidence < 0) errors.Add("PaleShaftMaxDarkEvidence must be >= 0.");
        if (PaleShaftMinDarkEvidence < 0) errors.Add("PaleShaftMinDarkEvidence must be >= 0.");
        if (PaleShaftHighRelativeDarkness is <= 0 or >= 1) errors.Add("PaleShaftHighRelativeDarkness must be in (0, 1).");
        if (YellowCoreMinYellowness < 0) errors.Add("YellowCoreMinYellowness must be >= 0.");
        if (PaleShaftMinCoreLightness is < 0 or >= 1) errors.Add("PaleShaftMinCoreLightness must be in [0, 1).");

        if (DarkCoreMaxGapMicrometres < 0) errors.Add("DarkCoreMaxGapMicrometres must be >= 0.");
        if (DarkCoreMinDarkness is < 0 or >= 1) errors.Add("DarkCoreMinDarkness must be in [0, 1).");
        if (DarkCoreMaxFramePeak is < 0 or > 1) errors.Add("DarkCoreMaxFramePeak must be in [0, 1].");
        if (GreyCoreMaxGapMicrometres < 0) errors.Add("GreyCoreMaxGapMicrometres must be >= 0.");
        if (MinElongation < 1) errors.Add("MinElongation must be >= 1.");
        if (MinSolidity is < 0 or > 1) errors.Add("MinSolidity must be in [0, 1].");
        if (MinHairAreaSquareMicrometres < 0) errors.Add("MinHairAreaSquareMicrometres must be >= 0.");
        return errors;
    }
}
