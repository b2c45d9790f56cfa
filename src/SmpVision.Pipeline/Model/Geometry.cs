namespace SmpVision.Pipeline.Model;

/// <summary>A point in image pixels (origin top-left of the oriented image, x right, y down).</summary>
public readonly record struct PointPixels(double X, double Y);

/// <summary>A closed polygon in image pixels; the last vertex connects back to the first.</summary>
public sealed record PolygonPixels(IReadOnlyList<PointPixels> Vertices);

/// <summary>A CIELAB colour under illuminant D65 (L* 0-100, a*, b* unbounded).</summary>
public readonly record struct LabColour(double L, double A, double B);
