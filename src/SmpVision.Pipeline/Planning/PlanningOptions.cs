using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Planning;

/// <summary>Which frame side holds the hairline's leading edge (hair grows away from it).</summary>
public enum HairlineEdge
{
    /// <summary>No hairline in the frame: no feathering.</summary>
    None = 0,
    Top = 1,
    Bottom = 2,
    Left = 3,
    Right = 4,
}

/// <summary>
/// Options of the SMP planner. Every default is documented with its source (docs/DOMAIN-SOURCES.md) or
/// marked as a project choice; every one can be overridden by the clinic.
/// </summary>
public sealed record PlanningOptions
{
    /// <summary>Clinic's reference density (FU/cm2) from the request; used when the patient's own was not measured well enough. Null: none given.</summary>
    public double? ClinicReferenceFollicularUnitsPerSquareCentimetre { get; init; }

    /// <summary>Zone the image shows; picks the documented default reference when nothing better exists.</summary>
    public ScalpZone Zone { get; init; } = ScalpZone.Unspecified;

    /// <summary>Overrides the zone default reference (FU/cm2). Null: <see cref="ZoneDefaults.FollicularUnitsPerSquareCentimetre"/>.</summary>
    public double? ZoneDefaultFollicularUnitsPerSquareCentimetreOverride { get; init; }

    /// <summary>
    /// The reference density when this photo's own cannot be measured: the clinic's value, else the
    /// zone default (or its override), in FU/cm2. The one fallback of the plan and of the region
    /// stage's thinning judgement (the analyzer hands it to the regions), so both use one reference.
    /// </summary>
    public double FallbackReferenceFollicularUnitsPerSquareCentimetre =>
        ClinicReferenceFollicularUnitsPerSquareCentimetre ?? ZoneDefaultFollicularUnitsPerSquareCentimetreOverride ?? ZoneDefaults.FollicularUnitsPerSquareCentimetre(Zone);

    /// <summary>
    /// Minimum follicular units counted in hair-bearing scalp for the patient's own density to be
    /// the reference. Default 25: the Poisson relative error of a count is 1/sqrt(N) = 20% at 25,
    /// just under the ~22% loss a dermatologist perceives (docs/DOMAIN-SOURCES.md), so the reference is not
    /// noisier than the differences it is used to judge.
    /// </summary>
    public int MinReferenceFollicularUnits { get; init; } = 25;

    /// <summary>
    /// Minimum hair-bearing area (mm2) for the patient's own reference. Default 10 mm2: about one
    /// 70x trichoscopy frame (3.5 x 2.8 mm, docs/DOMAIN-SOURCES.md), so a sliver at the frame edge is never used.
    /// </summary>
    public double MinReferenceAreaSquareMillimetres { get; init; } = 10.0;

    /// <summary>
    /// Cumulative fraction of the target density reached after each session. Default 0.3, 0.7,
    /// 1.0 (Liu et al., J Cosmet Dermatol 2025, docs/DOMAIN-SOURCES.md). Increasing, ending at 1.
    /// </summary>
    public IReadOnlyList<double> CumulativeSessionFractions { get; init; } = [0.3, 0.7, 1.0];

    /// <summary>The session being planned now (1-based); the preview shows the dots up to it.</summary>
    public int SessionNumber { get; init; } = 1;

    /// <summary>Where the hairline's leading edge is in the frame. Default none.</summary>
    public HairlineEdge HairlineEdge { get; init; } = HairlineEdge.None;

    /// <summary>
    /// The hairline's leading edge as a polyline in image pixels (at least two points); overrides
    /// <see cref="HairlineEdge"/> when given.
    /// </summary>
    public IReadOnlyList<PointPixels>? HairlinePolyline { get; init; }

    /// <summary>
    /// Clinician's treatment areas (image pixels): when any is given, dots are laid only inside
    /// them. Empty: the whole pigmented map.
    /// </summary>
    public IReadOnlyList<PolygonPixels> TreatmentAreas { get; init; } = [];

    /// <summary>Clinician's exclusions (image pixels): never any dot inside.</summary>
    public IReadOnlyList<PolygonPixels> Exclusions { get; init; } = [];

    /// <summary>
    /// Smallest dot distance at full density in mm (clinician override); replaces
    /// <see cref="MinDotSpacingFractionOfMeanSpacing"/> by this distance over the reference's mean
    /// spacing, which must stay within the same (0.3, 0.85] bounds. Null: the fraction is used.
    /// </summary>
    public double? MinDotSpacingMillimetres { get; init; }

    /// <summary>
    /// Width of the feathered band behind the leading edge, in mm. Default 10 mm: project choice
    /// (practice: an irregular, soft transition); docs/DOMAIN-SOURCES.md gives the edge density, not the width.
    /// </summary>
    public double FeatherWidthMillimetres { get; init; } = 10.0;

    /// <summary>
    /// Density at the leading edge as a fraction of the target. Default 0.4: transplant hairlines
    /// are rebuilt at ~30 FU/cm2, about 40% of normal (Tsai 2002, docs/DOMAIN-SOURCES.md).
    /// </summary>
    public double HairlineEdgeDensityFraction { get; init; } = 0.4;

    /// <summary>Whether thinning regions get dots (the gap to the reference). Default true (docs/DOMAIN-SOURCES.md: fill between existing hairs).</summary>
    public bool PigmentThinning { get; init; } = true;

    /// <summary>Whether scar regions get dots. Default true (flat healed scars take pigment, Liu 2025, docs/DOMAIN-SOURCES.md).</summary>
    public bool PigmentScars { get; init; } = true;

    /// <summary>Whether concrete dot coordinates are computed (needs a scale). Default true.</summary>
    public bool IncludeDotLayout { get; init; } = true;

    /// <summary>Px/mm to lay dots out with when the region map has no scale (e.g. a caller-measured overhead photo). Null: none.</summary>
    public double? PixelsPerMillimetreOverride { get; init; }

    /// <summary>
    /// Cap on the number of dots laid out (and so returned in one response); beyond it the layout
    /// stops with a "dot-cap" warning. Default 60,000: a 500 cm2 top and crown at 110 dots/cm2,
    /// the top of normal follicular-unit density (65-110 FU/cm2, DOMAIN-SOURCES.md), is 55,000.
    /// </summary>
    public int MaxDots { get; init; } = 60_000;

    /// <summary>
    /// Poisson-disc minimum dot spacing as a fraction of the mean spacing 1/sqrt(density).
    /// Default 0.75: a saturated random packing at that spacing holds ~1.2x the target count
    /// (random sequential packing covers ~55% of the plane with discs of half the spacing), which
    /// leaves room to thin to the exact count while dots never sit closer than 0.75 of the mean
    /// spacing (~0.75 mm at 100 FU/cm2; Rassman 2015: dots ~1 mm apart, docs/DOMAIN-SOURCES.md).
    /// </summary>
    public double MinDotSpacingFractionOfMeanSpacing { get; init; } = 0.75;

    /// <summary>Whether the photo carried a colour chart used to calibrate colour. Default false: the
    /// pigment rule then warns that colours carry camera error (docs/DOMAIN-SOURCES.md, Colour and skin tone).</summary>
    public bool ColourCalibrated { get; init; }

    /// <summary>Random seed of the dot layout (deterministic plans). Default 1.</summary>
    public int RandomSeed { get; init; } = 1;

    /// <summary>Returns the list of problems with these options; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (ClinicReferenceFollicularUnitsPerSquareCentimetre is { } c && !(c > 0 && c < 1000))
        {
            errors.Add($"{nameof(ClinicReferenceFollicularUnitsPerSquareCentimetre)} must be in (0, 1000) FU/cm2.");
        }

        if (ZoneDefaultFollicularUnitsPerSquareCentimetreOverride is { } z && !(z > 0 && z < 1000))
        {
            errors.Add($"{nameof(ZoneDefaultFollicularUnitsPerSquareCentimetreOverride)} must be in (0, 1000) FU/cm2.");
        }

        if (MinReferenceFollicularUnits < 1)
        {
            errors.Add($"{nameof(MinReferenceFollicularUnits)} must be at least 1.");
        }

        if (!(MinReferenceAreaSquareMillimetres >= 0))
        {
            errors.Add($"{nameof(MinReferenceAreaSquareMillimetres)} must be non-negative.");
        }

        var f = CumulativeSessionFractions;
        if (f is null || f.Count == 0)
        {
            errors.Add($"{nameof(CumulativeSessionFractions)} must hold at least one session.");
        }
        else
        {
            for (var i = 0; i < f.Count; i++)
            {
                if (!(f[i] > 0 && f[i] <= 1) || (i > 0 && f[i] <= f[i - 1]))
                {
                    errors.Add($"{nameof(CumulativeSessionFractions)} must be strictly increasing within (0, 1].");
                    break;
                }
            }

            if (Math.Abs(f[^1] - 1.0) > 1e-9)
            {
                errors.Add($"{nameof(CumulativeSessionFractions)} must end at 1.0 (full density).");
            }

            if (SessionNumber < 1 || SessionNumber > f.Count)
            {
                errors.Add($"{nameof(SessionNumber)} must be between 1 and {f.Count}.");
            }
        }

        if (!(FeatherWidthMillimetres >= 0 && FeatherWidthMillimetres < 1000))
        {
            errors.Add($"{nameof(FeatherWidthMillimetres)} must be in [0, 1000) mm.");
        }

        if (!(HairlineEdgeDensityFraction > 0 && HairlineEdgeDensityFraction <= 1))
        {
            errors.Add($"{nameof(HairlineEdgeDensityFraction)} must be in (0, 1].");
        }

        if (TreatmentAreas.Concat(Exclusions).Any(p => p.Vertices.Count < 3))
        {
            errors.Add("Treatment areas and exclusions need at least three vertices each.");
        }

        if (MinDotSpacingMillimetres is { } spacing && !(spacing > 0 && spacing < 100))
        {
            errors.Add($"{nameof(MinDotSpacingMillimetres)} must be in (0, 100) mm.");
        }

        if (HairlinePolyline is { Count: < 2 })
        {
            errors.Add($"{nameof(HairlinePolyline)} needs at least two points.");
        }

        if (PixelsPerMillimetreOverride is { } p && !(p > 0 && !double.IsInfinity(p)))
        {
            errors.Add($"{nameof(PixelsPerMillimetreOverride)} must be positive.");
        }

        if (MaxDots < 0)
        {
            errors.Add($"{nameof(MaxDots)} must be non-negative.");
        }

        if (!(MinDotSpacingFractionOfMeanSpacing > 0.3 && MinDotSpacingFractionOfMeanSpacing <= 0.85))
        {
            errors.Add($"{nameof(MinDotSpacingFractionOfMeanSpacing)} must be in (0.3, 0.85]: above ~0.85 a random packing cannot reach the target count.");
        }

        return errors;
    }
}

/// <summary>Documented default reference densities per zone (FU/cm2), used when neither the patient's own nor the clinic's is available.</summary>
public static class ZoneDefaults
{
    /// <summary>
    /// Default reference FU density for a zone. ~100 FU/cm2 for Caucasian scalp (Tsai 2002;
    /// Birnbaum 2017; docs/DOMAIN-SOURCES.md) everywhere except temporal, scaled by the temporal/frontal ratio
    /// 70/82 measured in Egyptian women (Skin Appendage Disord 8(6):441, docs/DOMAIN-SOURCES.md) to ~85. The
    /// hairline uses the full value: its lower edge density comes from feathering (Tsai 2002).
    /// Population differences (Chinese ~72, Han ~74 FU/cm2, docs/DOMAIN-SOURCES.md) are the clinic's call via
    /// the clinic reference.
    /// </summary>
    public static double FollicularUnitsPerSquareCentimetre(ScalpZone zone) => zone switch
    {
        ScalpZone.Temporal => 100.0 * 70.0 / 82.0,
        _ => 100.0,
    };

    /// <summary>Citation for <see cref="FollicularUnitsPerSquareCentimetre"/>.</summary>
    public static string Citation(ScalpZone zone) => zone == ScalpZone.Temporal
        ? "~100 FU/cm2 Caucasian (Tsai 2002; Birnbaum 2017) x temporal/frontal 70/82 (Skin Appendage Disord 8(6):441); docs/DOMAIN-SOURCES.md"
        : "~100 FU/cm2 Caucasian (Tsai 2002; Birnbaum 2017); docs/DOMAIN-SOURCES.md";
}
