using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Measurement;

/// <summary>
/// One hair shaft found in a trichoscopy frame.
/// </summary>
/// <param name="Id">Index of the hair in its frame, from 0.</param>
/// <param name="Emergence">Where the shaft leaves the skin (follicular opening), in pixels.</param>
/// <param name="Tip">The free end of the visible shaft, in pixels.</param>
/// <param name="LengthPixels">Visible shaft length along its centreline, in pixels.</param>
/// <param name="WidthPixels">Median shaft width across its centreline, in pixels.</param>
/// <param name="FollicularUnitId">Id of the follicular unit the hair belongs to.</param>
/// <param name="CutByFrameEdge">True when the shaft touches the frame or the analysed-area border.</param>
public sealed partial record HairInstance(
    int Id,
    PointPixels Emergence,
    PointPixels Tip,
    double LengthPixels,
    double WidthPixels,
    int FollicularUnitId,
    bool CutByFrameEdge);

/// <summary>Hairs that share one follicular opening.</summary>
/// <param name="Id">Index of the unit in its frame, from 0.</param>
/// <param name="Centre">Centre of the shared opening, in pixels.</param>
/// <param name="HairIds">Ids of its hairs (1 to about 4).</param>
public sealed record FollicularUnit(int Id, PointPixels Centre, IReadOnlyList<int> HairIds);

/// <summary>Shaft-width class (DOMAIN.md, shaft width: terminal &gt;= 60 um, vellus &lt; 30 um, intermediate between).</summary>
public enum HairWidthClass
{
    /// <summary>No physical scale, so the width cannot be classed.</summary>
    Unknown = 0,
    /// <summary>Width below the vellus limit (default 30 um).</summary>
    Vellus = 1,
    /// <summary>Width between the vellus and terminal limits.</summary>
    Intermediate = 2,
    /// <summary>Width at or above the terminal limit (default 60 um).</summary>
    Terminal = 3,
}

/// <summary>Physical measurements of a hair, added by the trichoscopy analysis.</summary>
public sealed partial record HairInstance
{
    /// <summary>Median shaft width in micrometres; null without a scale.</summary>
    public double? WidthMicrometres { get; init; }

    /// <summary>Visible shaft length in micrometres; null without a scale.</summary>
    public double? LengthMicrometres { get; init; }

    /// <summary>Width class from <see cref="WidthMicrometres"/>; Unknown without a scale.</summary>
    public HairWidthClass WidthClass { get; init; }

    /// <summary>
    /// True when the hair counts towards density: enough shaft is visible (HairInstanceOptions.MinCountedLengthMicrometres)
    /// and its emergence point lies in the analysable area, not on an end cut by the frame or an
    /// overlay (the edge rule), or its opening is cut but a long shaft shows
    /// (HairInstanceOptions.MinCountedLengthCutOpeningMicrometres).
    /// </summary>
    public bool CountedInDensity { get; init; }
}
