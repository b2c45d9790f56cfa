namespace SmpVision.Pipeline.Model;

/// <summary>A point in image pixels (origin top-left of the oriented image, x right, y down).</summary>
public readonly record struct PointPixels(double X, double Y);

/// <summary>A closed polygon in image pixels; the last vertex connects back to the first.</summary>
public sealed record PolygonPixels(IReadOnlyList<PointPixels> Vertices);

/// <summary>A CIELAB colour under illuminant D65 (L* 0-100, a*, b* unbounded).</summary>
public readonly record struct LabColour(double L, double A, double B);

/// <summary>
/// A polygon a clinician drew or confirmed, in image pixels. Generic: treatment areas,
/// exclusions and scar confirmations all use it.
/// </summary>
/// <param name="Id">Caller's identifier (may be empty), echoed in warnings.</param>
/// <param name="Polygon">At least three vertices.</param>
/// <param name="Note">Free text, not interpreted.</param>
public sealed record ClinicianPolygon(string Id, PolygonPixels Polygon, string? Note = null);

/// <summary>
/// What the clinician drew on one photo; every part overrides what the pipeline would find on
/// its own (boundary, hairline, reference density, dot spacing).
/// </summary>
public sealed record ClinicianInput
{
    /// <summary>Drawn hairline leading edge (open polyline, at least two points), or null.</summary>
    public IReadOnlyList<PointPixels>? Hairline { get; init; }

    /// <summary>Treatment areas: when any is given, dots only inside them; inside counts as scalp.</summary>
    public IReadOnlyList<ClinicianPolygon> TreatmentAreas { get; init; } = [];

    /// <summary>Exclusions: never pigmented, never counted as scalp.</summary>
    public IReadOnlyList<ClinicianPolygon> Exclusions { get; init; } = [];

    /// <summary>Reference density to plan with (FU/cm2), replacing every other reference; null: none.</summary>
    public double? ReferenceFollicularUnitsPerSquareCentimetre { get; init; }

    /// <summary>Smallest dot distance at full density (mm); null: the planner's default fraction of the mean spacing.</summary>
    public double? MinDotSpacingMillimetres { get; init; }

    /// <summary>True when nothing was drawn or overridden.</summary>
    public bool IsEmpty => Hairline is null && TreatmentAreas.Count == 0 && Exclusions.Count == 0
        && ReferenceFollicularUnitsPerSquareCentimetre is null && MinDotSpacingMillimetres is null;
}
