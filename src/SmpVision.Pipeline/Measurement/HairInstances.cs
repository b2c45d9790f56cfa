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
public sealed record HairInstance(
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
