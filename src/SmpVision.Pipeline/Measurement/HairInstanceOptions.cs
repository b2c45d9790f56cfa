namespace SmpVision.Pipeline.Measurement;

/// <summary>Options of <see cref="HairInstanceExtractor"/>. Physical sizes in micrometres (DOMAIN.md).</summary>
public sealed record HairInstanceOptions
{
    /// <summary>
    /// Single-shaft width used to split touching shafts when the frame has too few clean single
    /// shafts to measure its own. Default 70 um: terminal shafts are &gt;= 60 um, healthy frontal
    /// ~61 um (Rakowska; DOMAIN.md).
    /// </summary>
    public double FallbackShaftWidthMicrometres { get; init; } = 70;

    /// <summary>
    /// Quantile of the regions' single-run widths taken as the frame's single-shaft width. Below
    /// the median because touching FU shafts that never part read as one wide shaft and would
    /// inflate it. Default 0.5.
    /// </summary>
    public double ReferenceWidthQuantile { get; init; } = 0.5;

    /// <summary>
    /// Floor of the single-shaft width used for splitting. Default 60 um, the terminal limit
    /// (DOMAIN.md): touching shafts are split only in units of at least a terminal shaft.
    /// </summary>
    public double MinReferenceShaftWidthMicrometres { get; init; } = 60;

    /// <summary>
    /// A slice across a region this many single-shaft widths wide holds two shafts side by side
    /// (then +1 per extra width). Default 1.5: shafts of one FU overlap as they leave one opening, so two read well under two widths at the half-maximum edge; chosen on the even-numbered dev patients (eval-trichoscopy --patients even) and checked on the odd ones.
    /// </summary>
    public double SplitWidthRatio { get; init; } = 1.5;

    /// <summary>
    /// A separate run across a region counts as its own shaft only when at least this fraction of
    /// the single-shaft width: a glare streak along one shaft splits it into two thin runs. Default 0.6.
    /// </summary>
    public double MinRunWidthFraction { get; init; } = 0.6;

    /// <summary>A k-shaft reading must hold along at least this much shaft length to count. Default 45 um.</summary>
    public double MinSustainedMicrometres { get; init; } = 45;

    /// <summary>A k-shaft reading must also hold along at least this share of the region's length. Default 0.25.</summary>
    public double MinSustainedLengthFraction { get; init; } = 0.25;

    /// <summary>
    /// A single-run region whose interior median width is at least this many single-shaft widths
    /// holds two overlapping shafts (an FU pair that never parts in view). 0 turns it off.
    /// Default 1.15; chosen on the even-numbered dev patients, checked on the odd ones.
    /// </summary>
    public double OverlappingPairWidthRatio { get; init; } = 1.15;

    /// <summary>
    /// A region between <see cref="OverlappingPairWidthRatio"/> and this many single-shaft widths
    /// is read as a pair only when it also narrows to one shaft somewhere along its length (one
    /// shaft of the pair ends first); shaft widths vary within a scalp (terminal 60-100 um,
    /// DOMAIN.md), so a wide single shaft alone reads up to ~1.3 widths of the frame's median.
    /// Default 1.35.
    /// </summary>
    public double OverlappingPairStrongWidthRatio { get; init; } = 1.35;

    /// <summary>
    /// A hair counts towards density only when at least this much shaft is visible: shorter
    /// dark stubs are skin texture or fragments, and the hand counts skip them. Default 250 um
    /// (chosen on the even-numbered dev patients, checked on the odd ones).
    /// </summary>
    public double MinCountedLengthMicrometres { get; init; } = 250;

    /// <summary>
    /// A hair whose opening is cut off by the frame or an overlay still counts when at least
    /// this much shaft is visible: the hand counts include long hairs entering from the edge.
    /// Default 420 um (chosen on the even-numbered dev patients, checked on the odd ones).
    /// </summary>
    public double MinCountedLengthCutOpeningMicrometres { get; init; } = 420;

    /// <summary>
    /// Hairs whose emergence points lie within this distance share one follicular opening (one
    /// FU). Default 130 um, about one follicular opening across.
    /// </summary>
    public double FollicularUnitJoinMicrometres { get; init; } = 130;

    /// <summary>
    /// The join distance is at least this many single-shaft widths of the frame: the hairs of one
    /// unit leave its opening side by side, so the emergence points of adjacent shafts lie up to
    /// about two widths of the unit's widest shaft apart (up to ~2.5 widths of the frame's median
    /// shaft), plus the error of locating each end (larger for thin light shafts). 0 keeps the
    /// fixed distance alone. Default 3.0: on generated frames (eval-trichoscopy --synthetic
    /// clean|dev, 1280 x 1024 at 180 px/mm) the fixed 130 um alone split units of wide terminal
    /// shafts (FU count +36%). With the wrong-end join (<see cref="FollicularUnitSideBySideMaxAngleDegrees"/>)
    /// taking the units split by a misplaced opening, 2.5 widths still splits units (+2 to +5%
    /// signed), 3.5 merges neighbouring units (dev 301-306 -2.9%, 6.2% median) and 3.0 keeps the
    /// signed error within +/-2.5% on seeds 301-306 and 401-410 of both presets. The real dev set
    /// has no FU truth to check it on; openings of separate units lie ~1 mm apart at 100 FU/cm2.
    /// </summary>
    public double FollicularUnitJoinShaftWidths { get; init; } = 3.0;

    /// <summary>
    /// A shaft left alone by the join distance joins the unit of a shaft whose emergence point
    /// lies within the join distance of its tip end when the two run side by side from those ends,
    /// their directions within this angle: the shafts of one unit leave the opening nearly
    /// parallel, so the lone shaft's opening was placed at the wrong end (DOMAIN.md: FU of 1-4
    /// hairs sharing one opening). 0 joins by emergence points only. Default 30 degrees (chosen
    /// on generated frames, seeds 301-306 and 401-410).
    /// </summary>
    public double FollicularUnitSideBySideMaxAngleDegrees { get; init; } = 30;

    /// <summary>
    /// Reach, in single-shaft widths of the frame, of the side-by-side joins of a lone shaft
    /// (never below the join distance): its tip end near another shaft's emergence point (opening
    /// placed at the wrong end), or its emergence point near another's when both leave in nearly
    /// one direction (<see cref="FollicularUnitSideBySideMaxAngleDegrees"/>). Blur widens the dim
    /// ends of a shaft and moves each located end along it, so the ends of one unit's shafts lie
    /// further apart than the join distance while still leaving side by side; openings of
    /// separate units lie ~1 mm apart at 100 FU/cm2 (DOMAIN.md), 7-15 widths on generated frames.
    /// 0 keeps the join distance. Default 4.0, chosen on generated frames (eval-trichoscopy
    /// --synthetic clean|dev, seeds 401-410 and 711-720, 1280 x 1024 at 180 px/mm): 3.0 (the join
    /// distance) left dev 711-720 at FU +2.7% signed with 16 split units, 4.0 splits 6 and merges
    /// 5 (-1.8%), 5.0 merges neighbours (clean 711-720 -3.0%).
    /// </summary>
    public double FollicularUnitSideBySideJoinShaftWidths { get; init; } = 4.0;

    /// <summary>
    /// A single-shaft region whose centreline misses one straight line by at least this many
    /// single-shaft widths (RMS) may be two shafts in line (one leaving its opening at or under
    /// the other's tip, both along the common hair direction). 0 turns chain splitting off.
    /// Default 0.12: on generated frames (seeds 501-510) chains of two shafts read 0.16-0.19 for
    /// one line and 0.01-0.05 for two, single shafts 0.02-0.08 for both, so the two-line residual
    /// below is what separates them; 0.2 left those chains as one hair.
    /// </summary>
    public double ChainMinBendShaftWidths { get; init; } = 0.12;

    /// <summary>
    /// ... and it is split when two straight lines, one per part, fit its centreline within this
    /// many single-shaft widths (RMS): a curved shaft fits neither one line nor two. Default 0.07.
    /// </summary>
    public double ChainMaxResidualShaftWidths { get; init; } = 0.07;

    /// <summary>Each part of a chain must be at least this many single-shaft widths long. Default 3.</summary>
    public double ChainMinPartShaftWidths { get; init; } = 3;

    /// <summary>
    /// When the sub-surface shadow beyond one end is this many grey levels darker (against the
    /// skin beside it) than beyond the other, it marks the opening even where the shafts of a unit
    /// seem to converge at the other end (shafts that cross part again beyond the crossing).
    /// 0 lets the shadow always decide where both ends can be seen. Default 0 (session 11; was
    /// 12): on the mixed preset, where units touch at high density, the converging end of dark
    /// multi-shaft regions was the opening for 4 of 18 regions and the shadow for 50 of 55
    /// (mixed 1101-1130 and six light-hair frames); at 0 emergence flipped on mixed 701-730 /
    /// 801-830 / 1101-1130 / 1201-1230 went 172 / 195 / 234 / 180 -> 163 / 181 / 213 / 173,
    /// clean and dev 401-410 / 601-610 40 / 59 / 38 / 48 -> 37 / 56 / 38 / 44, the real dev-set
    /// figures unchanged. At 12 (session 4, clean preset) it had taken 39 -> 22 wrong ends of
    /// crossing unit shafts; the converging end still decides where one end is cut.
    /// </summary>
    public double EmergenceShadowContrastGrey { get; init; }

    /// <summary>How far beyond each shaft end to look for the sub-surface shaft that marks emergence. Default 90 um.</summary>
    public double EmergenceProbeMicrometres { get; init; } = 90;

    /// <summary>A region end within this many working pixels of the frame or an overlay is cut. Default 2.</summary>
    public int EdgeMarginPixels { get; init; } = 2;

    /// <summary>
    /// A region is also read as separate shafts tracked slice by slice from its emergence end
    /// (each run followed to the next slice; a run leaving a wider, merged run is a shaft leaving
    /// there): a track at least this many single-shaft widths long is one shaft. When a region
    /// holds more such tracks than its sustained shaft count and their openings lie farther apart
    /// than one unit's opening (the unit join distance), each track becomes a hair with its own
    /// opening (where it appeared, or where the run it left first widened). At high density
    /// (mixed preset, 30-120 FU/cm2, DOMAIN.md) one unit's shafts touch the next unit's, so one
    /// region holds several units offset along the hair direction; a count sustained over a
    /// quarter of the region and one opening per region miss the rest (shafts diverging from one
    /// opening keep the sustained count: letting every surplus track count raised the real dev
    /// set from 14.3% to 15.4%). 0 turns tracking off. Default 3 (the chain part length).
    /// </summary>
    public double TrackMinShaftWidths { get; init; } = 3;

    /// <summary>
    /// A region at least <see cref="EdgeHuggingMinLengthMicrometres"/> long that lies within
    /// <see cref="EdgeMarginPixels"/> of the frame edge or the unanalysable area over at least this
    /// fraction of its length is dropped: hairs cross the field, while a burned-in info bar the
    /// field mask left (semi-transparent boxes over noisy JPEG frames, generated mixed and dev
    /// presets: 3 false hairs a frame on 6 of 30 frames) or the dark rim of the dermoscope field
    /// runs along it. 0 turns this off. Default 0 (off): at 0.9 it removed those false hairs
    /// (mixed 801-830 false 310 -> 287) but they had been hiding undercounts, so the count medians
    /// rose (dev 401-410 3.5% -> 5.2%, mixed 701-730 5.5% -> 7.2%); the cause belongs in the field
    /// mask (TRICHOSCOPY.md, session 8).
    /// </summary>
    public double EdgeHuggingMinFraction { get; init; }

    /// <summary>Shortest region the edge-hugging test drops. Default 500 um (longer than most visible shafts touch an edge).</summary>
    public double EdgeHuggingMinLengthMicrometres { get; init; } = 500;

    /// <summary>
    /// Tracks give their own hairs only in a region where at most this fraction of the runs are
    /// narrower than <see cref="MinRunWidthFraction"/> of a shaft: shafts show full-width runs
    /// except at their tips, while ragged skin texture that passes the darkness test on dark skin
    /// (mixed preset, seed 726) is mostly slivers and would break into many tracks. Default 0.1
    /// (regions of touching shafts read 0.02-0.03, texture regions on mixed 726 0.13-0.26).
    /// </summary>
    public double TrackMaxNarrowRunFraction { get; init; } = 0.1;

    /// <summary>
    /// A tracked shaft that leaves a wide stretch (touching another shaft) this many single-shaft
    /// widths off its own straight line hands over: it ended there, and the shaft it touched
    /// opened where the run widened (the next unit's opening at or beside its tip, the side-by-side
    /// form of a chain, <see cref="ChainMinBendShaftWidths"/>). 0 turns hand-over off. Default
    /// 0.75 (0.5 matched 10 more hairs on mixed 801-830 but raised dev 601-610 to 5.4%, 1.0
    /// matched fewer).
    /// </summary>
    public double TrackHandOverShaftWidths { get; init; } = 0.75;

    /// <summary>
    /// Where a slice shows two or more shafts apart, the shafts it holds are counted run by run
    /// (each run's width against the single-shaft width) instead of from the slice's total width:
    /// two terminal shafts a little wider than the frame's reference width (mixed preset widths,
    /// 60-100 um in one frame, DOMAIN.md) read as three from their summed width. Default true.
    /// </summary>
    public bool CountShaftsPerRun { get; init; } = true;

    /// <summary>Vellus limit: shafts narrower than this are vellus. Default 30 um (DOMAIN.md).</summary>
    public double VellusMaxWidthMicrometres { get; init; } = 30;

    /// <summary>Terminal limit: shafts at least this wide are terminal. Default 60 um (DOMAIN.md).</summary>
    public double TerminalMinWidthMicrometres { get; init; } = 60;

    // tri12

    /// <summary>
    /// On frames whose shafts are lighter than the skin or differ from it in colour
    /// (<see cref="Segmentation.HairPolarity.Light"/>, or the chroma path), the emergence end is the
    /// one the shaft's own contrast goes on beyond (it fades into the skin where it leaves it; a
    /// cut tip ends abruptly) instead of the one with the darker sub-surface shadow: a pale shaft's
    /// sub-surface part is barely darker than the skin. Default true.
    /// </summary>
    public bool EmergenceFadeTest { get; init; } = true;

    /// <summary>
    /// With <see cref="EmergenceFadeTest"/>: where only one end of a shaft can be seen (the other is
    /// cut by the frame or an overlay), it is the opening when the shaft keeps less than this share
    /// of its contrast there (the end fade, <c>HairInstanceExtractor.EndFade</c>). Default 0.9: on
    /// light and colour-contrast frames of the mixed preset 74% of openings and 17% of tips read
    /// below it (medians 0.83 and 0.97).
    /// </summary>
    public double EmergenceFadeMaxRatio { get; init; } = 0.9;

    /// <summary>
    /// On dark frames, where both ends can be seen, the end fade (<see cref="EmergenceFadeMaxRatio"/>)
    /// joins the sub-surface shadow: the opening is the end whose shadow (grey levels) minus this
    /// many grey levels per unit of kept contrast is the larger (a dark shaft also leaves the skin
    /// translucent). 0 leaves the shadow alone. Default 50: one width of fade contrast (~0.15)
    /// weighs as ~8 grey levels of shadow, the spread of each between ends on generated frames.
    /// On 240 dark-frame hairs (mixed 1101-1112) the shadow alone chose the opening for 88%,
    /// with the fade at this weight 91%; emergence flipped on mixed 701-730 / 801-830 /
    /// 1101-1130 / 1201-1230 163 / 181 / 213 / 173 -> 131 / 161 / 182 / 157, clean and dev
    /// 401-410 / 601-610 37 / 56 / 38 / 44 -> 33 / 45 / 25 / 35 (FU count median dev 601-610
    /// 2.8% -> 1.3%, clean 401-410 2.9% -> 1.4%); the real dev-set figures unchanged.
    /// </summary>
    public double EmergenceFadeGreyPerRatio { get; init; } = 50;

    /// <summary>
    /// A region counted as k &gt;= 2 shafts that holds exactly k tracked shafts whose openings lie
    /// farther apart than one unit's also gives one hair per track with its own opening (as a
    /// region holding more tracks does, <see cref="TrackMinShaftWidths"/>): two touching shafts
    /// from different openings (on generated mixed frames most split detections shared their
    /// opening with another hair of the region). Default true: matched hairs on mixed 701-730 /
    /// 801-830 / 1101-1130 / 1201-1230 +9 / +8 / +13 / +16, false -9 / -8 / -13 / -16, FU median
    /// 4.4 / 8.1 / 7.3 / 6.5% -> 3.9 / 6.9 / 8.4 / 6.2%; clean/dev hair counts and the real dev-set
    /// figures unchanged (the number of hairs does not change, only their openings).
    /// </summary>
    public bool TrackOpeningsAtSustainedCount { get; init; } = true;

    // tri18: follicular-unit grouping

    /// <summary>
    /// Two stems whose emergence points lie within the join distance share one opening only when
    /// their shafts leave those points within this angle of each other: the hairs of one unit
    /// leave their opening side by side and nearly parallel (DOMAIN.md: an FU is 1-4 hairs sharing
    /// one opening), so opposing shafts mean one stem's opening was placed at its tip end, next
    /// to a neighbouring unit's opening. 0 (or 180) joins by distance alone. Default 90: a
    /// physical bound, not a fit (no two hairs of one opening leave it in opposite half-planes;
    /// generated units fan by ~6 degrees, crossing shafts included well under 90).
    /// </summary>
    public double FollicularUnitJoinMaxAngleDegrees { get; init; } = 90;

    /// <summary>
    /// A stem shorter than this many single-shaft widths has no reliable direction (a stub's axis
    /// is as wide as it is long) and joins by distance alone. Default 2.0: below two widths the
    /// ends' location error (up to ~half a width each, TRICHOSCOPY.md session 11) turns the
    /// direction by tens of degrees.
    /// </summary>
    public double FollicularUnitDirectionMinShaftWidths { get; init; } = 2.0;

    // tri22: follicular units split by flipped stems

    /// <summary>
    /// A stem joined by its tip end (its opening placed at the wrong end) also joins, by opening,
    /// every stem whose emergence point lies within the join distance of that end and is not
    /// opposed to it (<see cref="FollicularUnitJoinMaxAngleDegrees"/>): the far end is its real
    /// opening, and with a unit's middle hair flipped only that opening bridges the outer hairs
    /// (DOMAIN.md: 1-4 hairs share one opening). Default true.
    /// </summary>
    public bool FollicularUnitFlippedStemOpeningJoin { get; init; } = true;

    /// <summary>
    /// The joins of <see cref="FollicularUnitFlippedStemOpeningJoin"/> never make a unit of more
    /// hairs than this. Default 4: DOMAIN.md (Guo 2017: 1-hair 28%, 2-hair 53%, 3-hair 17%,
    /// 4-hair 1% of units) gives no unit of 5 or more. 0 turns the cap off.
    /// </summary>
    public int FollicularUnitMaxHairs { get; init; } = 4;

    /// <summary>Returns the problems with these options; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (FallbackShaftWidthMicrometres <= 0) errors.Add("FallbackShaftWidthMicrometres must be > 0.");
        if (ReferenceWidthQuantile is < 0 or > 1) errors.Add("ReferenceWidthQuantile must be in [0, 1].");
        if (MinReferenceShaftWidthMicrometres < 0) errors.Add("MinReferenceShaftWidthMicrometres must be >= 0.");
        if (SplitWidthRatio is <= 1 or >= 3) errors.Add("SplitWidthRatio must be in (1, 3).");
        if (MinRunWidthFraction is < 0 or > 1) errors.Add("MinRunWidthFraction must be in [0, 1].");
        if (MinSustainedMicrometres < 0) errors.Add("MinSustainedMicrometres must be >= 0.");
        if (MinSustainedLengthFraction is < 0 or > 1) errors.Add("MinSustainedLengthFraction must be in [0, 1].");
        if (OverlappingPairWidthRatio < 0) errors.Add("OverlappingPairWidthRatio must be >= 0.");
        if (OverlappingPairStrongWidthRatio < OverlappingPairWidthRatio) errors.Add("OverlappingPairStrongWidthRatio must be >= OverlappingPairWidthRatio.");
        if (MinCountedLengthMicrometres < 0) errors.Add("MinCountedLengthMicrometres must be >= 0.");
        if (MinCountedLengthCutOpeningMicrometres < MinCountedLengthMicrometres) errors.Add("MinCountedLengthCutOpeningMicrometres must be >= MinCountedLengthMicrometres.");
        if (FollicularUnitJoinMicrometres < 0) errors.Add("FollicularUnitJoinMicrometres must be >= 0.");
        if (ChainMinBendShaftWidths < 0) errors.Add("ChainMinBendShaftWidths must be >= 0.");
        if (ChainMaxResidualShaftWidths < 0) errors.Add("ChainMaxResidualShaftWidths must be >= 0.");
        if (ChainMinPartShaftWidths < 0) errors.Add("ChainMinPartShaftWidths must be >= 0.");
        if (FollicularUnitJoinShaftWidths < 0) errors.Add("FollicularUnitJoinShaftWidths must be >= 0.");
        if (FollicularUnitSideBySideMaxAngleDegrees is < 0 or >= 90) errors.Add("FollicularUnitSideBySideMaxAngleDegrees must be in [0, 90).");
        if (FollicularUnitJoinMaxAngleDegrees is < 0 or > 180) errors.Add("FollicularUnitJoinMaxAngleDegrees must be in [0, 180].");
        if (FollicularUnitDirectionMinShaftWidths < 0) errors.Add("FollicularUnitDirectionMinShaftWidths must be >= 0.");
        if (FollicularUnitMaxHairs < 0) errors.Add("FollicularUnitMaxHairs must be >= 0.");
        if (FollicularUnitSideBySideJoinShaftWidths < 0) errors.Add("FollicularUnitSideBySideJoinShaftWidths must be >= 0.");
        if (EdgeHuggingMinFraction is < 0 or > 1) errors.Add("EdgeHuggingMinFraction must be in [0, 1].");
        if (EdgeHuggingMinLengthMicrometres < 0) errors.Add("EdgeHuggingMinLengthMicrometres must be >= 0.");
        if (TrackMaxNarrowRunFraction is < 0 or > 1) errors.Add("TrackMaxNarrowRunFraction must be in [0, 1].");
        if (TrackHandOverShaftWidths < 0) errors.Add("TrackHandOverShaftWidths must be >= 0.");
        if (TrackMinShaftWidths < 0) errors.Add("TrackMinShaftWidths must be >= 0.");
        if (EmergenceFadeGreyPerRatio < 0) errors.Add("EmergenceFadeGreyPerRatio must be >= 0.");
        if (EmergenceFadeMaxRatio <= 0) errors.Add("EmergenceFadeMaxRatio must be > 0.");
        if (EmergenceProbeMicrometres <= 0) errors.Add("EmergenceProbeMicrometres must be > 0.");
        if (EdgeMarginPixels < 0) errors.Add("EdgeMarginPixels must be >= 0.");
        if (VellusMaxWidthMicrometres <= 0) errors.Add("VellusMaxWidthMicrometres must be > 0.");
        if (TerminalMinWidthMicrometres < VellusMaxWidthMicrometres) errors.Add("TerminalMinWidthMicrometres must be >= VellusMaxWidthMicrometres.");
        return errors;
    }
}
