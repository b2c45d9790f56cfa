using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Planning;

/// <summary>Where the plan's reference density came from.</summary>
public enum ReferenceDensitySource
{
    Unspecified = 0,
    /// <summary>The patient's own hair-bearing FU density measured in this image.</summary>
    PatientMeasured = 1,
    /// <summary>The clinic's value from the request.</summary>
    ClinicRequest = 2,
    /// <summary>A documented zone default (docs/DOMAIN-SOURCES.md).</summary>
    ZoneDefault = 3,
}

/// <summary>The reference (full) density the plan builds towards.</summary>
/// <param name="FollicularUnitsPerSquareCentimetre">Reference FU/cm2; one SMP dot stands for one follicular opening (Rassman 2015, docs/DOMAIN-SOURCES.md).</param>
/// <param name="Source">Where it came from.</param>
/// <param name="Citation">Source text (measurement, request, or docs/DOMAIN-SOURCES.md reference).</param>
/// <param name="MeasuredAreaSquareMillimetres">Hair-bearing area measured in this image (null without a scale).</param>
/// <param name="MeasuredFollicularUnits">FUs counted in hair-bearing scalp in this image.</param>
/// <param name="MeasuredFollicularUnitsPerSquareCentimetre">The patient's measured density even when it was not enough to be used (null without a scale or area).</param>
public sealed record ReferenceDensity(
    double FollicularUnitsPerSquareCentimetre,
    ReferenceDensitySource Source,
    string Citation,
    double? MeasuredAreaSquareMillimetres,
    int MeasuredFollicularUnits,
    double? MeasuredFollicularUnitsPerSquareCentimetre);

/// <summary>Density target of one region after one session.</summary>
/// <param name="Session">Session number (1-based). A scar touch-up is the session after the last.</param>
/// <param name="CumulativeFraction">Fraction of the region's target reached after this session.</param>
/// <param name="CumulativeDotsPerSquareCentimetre">Dots/cm2 in place after this session (body of the region, before feathering).</param>
/// <param name="AddedDotsPerSquareCentimetre">Dots/cm2 added in this session.</param>
/// <param name="CumulativeDotCount">Dots in place after this session; null without a layout.</param>
/// <param name="AddedDotCount">Dots added in this session; null without a layout.</param>
/// <param name="IsTouchUp">True for the extra scar touch-up (re-pigments faded dots, no new positions).</param>
public sealed record SessionTarget(
    int Session,
    double CumulativeFraction,
    double CumulativeDotsPerSquareCentimetre,
    double AddedDotsPerSquareCentimetre,
    int? CumulativeDotCount,
    int? AddedDotCount,
    bool IsTouchUp);

/// <summary>The plan for one region.</summary>
/// <param name="RegionId">Id of the region in the region map.</param>
/// <param name="Class">Region class.</param>
/// <param name="ScarKind">Scar kind (scar regions).</param>
/// <param name="Pigmented">Whether the region gets dots.</param>
/// <param name="TargetDotsPerSquareCentimetre">Full target (all sessions), before hairline feathering.</param>
/// <param name="ExistingFollicularUnitsPerSquareCentimetre">Existing FU density measured in the region (null without a scale).</param>
/// <param name="HairlineEdgeDotsPerSquareCentimetre">Target at the hairline's leading edge when feathering applies; null otherwise.</param>
/// <param name="HighFadingRisk">Scars fade more than normal skin (Liu 2025: 1.6 vs 0.9 on 0-10, docs/DOMAIN-SOURCES.md).</param>
/// <param name="ExtraTouchUpSession">Plan one more session to touch up faded dots (scars).</param>
/// <param name="Sessions">Targets per session (and the touch-up when planned).</param>
/// <param name="Rule">The rule that set the target, in words.</param>
public sealed record RegionPlan(
    int RegionId,
    RegionClass Class,
    ScarKind ScarKind,
    bool Pigmented,
    double TargetDotsPerSquareCentimetre,
    double? ExistingFollicularUnitsPerSquareCentimetre,
    double? HairlineEdgeDotsPerSquareCentimetre,
    bool HighFadingRisk,
    bool ExtraTouchUpSession,
    IReadOnlyList<SessionTarget> Sessions,
    string Rule);

/// <summary>Pigment and needle recommendation.</summary>
/// <param name="DilutionLevel">1 (most dilute) to 5 (least dilute / undiluted carbon black) for the body of the work.</param>
/// <param name="HairlineDilutionLevel">Level at the hairline's leading edge (one lighter; practice, docs/DOMAIN-SOURCES.md).</param>
/// <param name="SkinColour">Measured skin colour (CIELAB), null when not measured.</param>
/// <param name="HairColour">Measured hair colour (CIELAB), null when not measured.</param>
/// <param name="SkinItaDegrees">Skin ITA in degrees (Chardon 1991), null when not measured.</param>
/// <param name="SkinItaBand">ITA band.</param>
/// <param name="HairSkinLightnessDifference">Skin L* minus hair L*, null when either is missing.</param>
/// <param name="BodyNeedleMillimetres">Needle diameter for the body of the work.</param>
/// <param name="HairlineNeedleMillimetres">Needle diameter at the hairline (single point).</param>
/// <param name="ColourCalibrated">False: no colour chart, colours carry camera error (docs/DOMAIN-SOURCES.md).</param>
/// <param name="Rule">The rule in words (no published table exists; this is the project's rule).</param>
public sealed record PigmentRecommendation(
    int DilutionLevel,
    int HairlineDilutionLevel,
    LabColour? SkinColour,
    LabColour? HairColour,
    double? SkinItaDegrees,
    ItaBand SkinItaBand,
    double? HairSkinLightnessDifference,
    double BodyNeedleMillimetres,
    double HairlineNeedleMillimetres,
    bool ColourCalibrated,
    string Rule);

/// <summary>One planned SMP dot.</summary>
/// <param name="Position">Centre in image pixels.</param>
/// <param name="Session">Session that places it (1-based).</param>
/// <param name="RegionId">Region it lies in.</param>
/// <param name="InHairlineFeather">True when in the feathered hairline band.</param>
public sealed record PlannedDot(PointPixels Position, int Session, int RegionId, bool InHairlineFeather);

/// <summary>A per-region SMP plan for one image.</summary>
/// <param name="Reference">Reference density and its source.</param>
/// <param name="Regions">Plan per region (every region of the map, pigmented or not).</param>
/// <param name="SessionCount">Sessions in the build-up (touch-up not counted).</param>
/// <param name="CurrentSession">The session being planned now.</param>
/// <param name="Pigment">Pigment dilution and needle guidance.</param>
/// <param name="Dots">Dot layout of all sessions (empty without a scale or when not requested).</param>
/// <param name="MinDotSpacingPixels">Smallest allowed distance between dots at full density, in pixels (null without a layout).</param>
/// <param name="PixelsPerMillimetre">Scale used for the layout, null when none.</param>
/// <param name="Warnings">Things the physician should know.</param>
public sealed record SmpPlan(
    ReferenceDensity Reference,
    IReadOnlyList<RegionPlan> Regions,
    int SessionCount,
    int CurrentSession,
    PigmentRecommendation Pigment,
    IReadOnlyList<PlannedDot> Dots,
    double? MinDotSpacingPixels,
    double? PixelsPerMillimetre,
    IReadOnlyList<PipelineWarning> Warnings);
