using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Comparison;

/// <summary>Whether a change exceeds its count noise.</summary>
public enum ChangeSignificance
{
    /// <summary>|z| below the threshold: "no significant change".</summary>
    NoSignificantChange = 0,
    /// <summary>Significant increase.</summary>
    Increase = 1,
    /// <summary>Significant decrease.</summary>
    Decrease = 2,
}

/// <summary>
/// Change of a count (hairs or follicular units) over one compared area, with Poisson noise:
/// SE(N) = sqrt(N), SE(after - before) = sqrt(N_before + N_after), z = difference / SE. Treating
/// the visits as independent overstates the noise when most hairs persist, so this test is
/// conservative; <see cref="HairMatchSummary"/> gives the paired view.
/// </summary>
/// <param name="BeforeCount">Count on the before photo inside the area.</param>
/// <param name="AfterCount">Count on the after photo inside the same area (after registration).</param>
/// <param name="Difference">After minus before.</param>
/// <param name="BeforeStandardErrorCount">sqrt(BeforeCount).</param>
/// <param name="AfterStandardErrorCount">sqrt(AfterCount).</param>
/// <param name="DifferenceStandardErrorCount">sqrt(BeforeCount + AfterCount).</param>
/// <param name="RelativeChangeFraction">Difference / BeforeCount (0.2 = +20%); null when BeforeCount is 0.</param>
/// <param name="RelativeChangeStandardErrorFraction">Delta-method SE of the relative change; null when BeforeCount is 0.</param>
/// <param name="ZScore">Difference / DifferenceStandardErrorCount (0 when both counts are 0).</param>
/// <param name="Significance">Increase, decrease, or no significant change at the configured |z|.</param>
/// <param name="BeforePerSquareCentimetre">Density before; null without a scale.</param>
/// <param name="AfterPerSquareCentimetre">Density after; null without a scale.</param>
/// <param name="ChangePerSquareCentimetre">Density change; null without a scale.</param>
/// <param name="ChangeStandardErrorPerSquareCentimetre">SE of the density change; null without a scale.</param>
public sealed record CountChange(
    int BeforeCount,
    int AfterCount,
    int Difference,
    double BeforeStandardErrorCount,
    double AfterStandardErrorCount,
    double DifferenceStandardErrorCount,
    double? RelativeChangeFraction,
    double? RelativeChangeStandardErrorFraction,
    double ZScore,
    ChangeSignificance Significance,
    double? BeforePerSquareCentimetre,
    double? AfterPerSquareCentimetre,
    double? ChangePerSquareCentimetre,
    double? ChangeStandardErrorPerSquareCentimetre);

/// <summary>Change of an area measure (hair coverage, bald area) over one compared area.</summary>
/// <param name="BeforeAreaFraction">Fraction of the compared area, before.</param>
/// <param name="AfterAreaFraction">Fraction of the compared area, after.</param>
/// <param name="ChangeAreaFraction">After minus before (fraction points of the compared area).</param>
/// <param name="BeforeAreaSquareMillimetres">Area before; null without a scale.</param>
/// <param name="AfterAreaSquareMillimetres">Area after; null without a scale.</param>
/// <param name="ChangeAreaSquareMillimetres">Area change; null without a scale.</param>
public sealed record AreaChange(
    double BeforeAreaFraction,
    double AfterAreaFraction,
    double ChangeAreaFraction,
    double? BeforeAreaSquareMillimetres,
    double? AfterAreaSquareMillimetres,
    double? ChangeAreaSquareMillimetres);

/// <summary>
/// Paired view of the hairs: each before hair matched one-to-one with the nearest after hair
/// (mapped onto the before photo) with an end point within the tolerance of one of its end points. Matching the same
/// hairs across visits is what brings change error down to ~0.4% (Bokhari et al. 2022, docs/DOMAIN-SOURCES.md).
/// </summary>
/// <param name="MatchedCount">Hairs found on both visits.</param>
/// <param name="LostCount">Before hairs with no after hair nearby.</param>
/// <param name="GainedCount">After hairs with no before hair nearby.</param>
/// <param name="TolerancePixels">Matching distance used, before-photo pixels.</param>
/// <param name="ZScore">(Gained - lost) / sqrt(gained + lost): a paired (McNemar-style) test of the net change.</param>
/// <param name="Significance">At the configured |z|.</param>
public sealed record HairMatchSummary(int MatchedCount, int LostCount, int GainedCount, double TolerancePixels, double ZScore, ChangeSignificance Significance);

/// <summary>Changes over one compared area: the whole common area, or its part in one region class.</summary>
/// <param name="Region">Region class, or null for the whole common area.</param>
/// <param name="AreaPixels">Compared area, before-photo pixels.</param>
/// <param name="AreaSquareMillimetres">Compared area; null without a scale.</param>
/// <param name="Hairs">Hair count and density change.</param>
/// <param name="FollicularUnits">Follicular-unit count and density change.</param>
/// <param name="Coverage">Fraction of the area covered by hair (hair mask).</param>
/// <param name="BaldArea">Fraction of the area that is bald; null when it cannot be measured (no labels and no scale).</param>
/// <param name="Matching">Paired hair matching.</param>
public sealed record RegionChange(
    RegionClass? Region,
    long AreaPixels,
    double? AreaSquareMillimetres,
    CountChange Hairs,
    CountChange FollicularUnits,
    AreaChange Coverage,
    AreaChange? BaldArea,
    HairMatchSummary Matching);

/// <summary>One colour of the change map.</summary>
/// <param name="Label">Short name, e.g. "gained".</param>
/// <param name="ColourHex">Colour as #RRGGBB.</param>
/// <param name="Meaning">What the colour shows.</param>
public sealed record ChangeMapLegendEntry(string Label, string ColourHex, string Meaning);

/// <summary>
/// What differencing the two visits in the common geometry added to the detected counts
/// (trichoscopy; see Comparison/README.md). Counts are over the whole compared area.
/// </summary>
/// <param name="AfterOnlyUnchangedCount">Hairs detected (and counted) on the after visit only whose shaft shows no change in the difference: counted on both visits.</param>
/// <param name="BeforeOnlyUnchangedCount">Hairs detected on the before visit only whose shaft shows no change: counted on both visits.</param>
/// <param name="GainedShaftCount">Shaft-shaped regions darker after than before (new shafts).</param>
/// <param name="GainedUnexplainedCount">Of those, the ones no unpaired after detection explains: counted as added hairs.</param>
/// <param name="LostShaftCount">Shaft-shaped regions darker before than after (lost shafts).</param>
/// <param name="LostUnexplainedCount">Of those, the ones no unpaired before detection explains: counted as lost hairs.</param>
/// <param name="NoiseSigmaLightness">Robust SD of the smoothed L* difference over unchanged skin, 8-bit L* units.</param>
/// <param name="ThresholdLightness">Threshold used, 8-bit L* units.</param>
public sealed record DifferentialChangeSummary(
    int AfterOnlyUnchangedCount,
    int BeforeOnlyUnchangedCount,
    int GainedShaftCount,
    int GainedUnexplainedCount,
    int LostShaftCount,
    int LostUnexplainedCount,
    double NoiseSigmaLightness,
    double ThresholdLightness);

/// <summary>
/// Before/after change over the area both photos analysed, in the before photo's geometry.
/// </summary>
/// <param name="Compared">False when registration was refused or no common area remained; the metrics are then empty.</param>
/// <param name="Message">Summary sentence, or why nothing was compared.</param>
/// <param name="Registration">The registration used.</param>
/// <param name="CommonAreaPixels">Pixels analysable on both photos (before geometry).</param>
/// <param name="CommonAreaFractionOfBefore">Common area / before photo's analysable area.</param>
/// <param name="CommonAreaSquareMillimetres">Common area; null without a before scale.</param>
/// <param name="Overall">Change over the whole common area; null when not compared.</param>
/// <param name="Regions">Change per region class present in the common area (empty without region labels).</param>
/// <param name="ChangeMapPng">PNG on the before photo's geometry (gained, lost, unchanged hair, outside common area) with the legend drawn in; null when not rendered.</param>
/// <param name="Legend">The change map's colours.</param>
/// <param name="Warnings">What the reader should know before trusting the numbers.</param>
public sealed record ChangeResult(
    bool Compared,
    string Message,
    RegistrationResult Registration,
    long CommonAreaPixels,
    double CommonAreaFractionOfBefore,
    double? CommonAreaSquareMillimetres,
    RegionChange? Overall,
    IReadOnlyList<RegionChange> Regions,
    byte[]? ChangeMapPng,
    IReadOnlyList<ChangeMapLegendEntry> Legend,
    IReadOnlyList<PipelineWarning> Warnings)
{
    /// <summary>Differential evidence added to the detected counts; null when not used (per-photo path, or disabled).</summary>
    public DifferentialChangeSummary? Differential { get; init; }
}
