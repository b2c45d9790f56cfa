using OpenCvSharp;
using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Regions;

/// <summary>The reference density a region map was judged against.</summary>
/// <param name="FolliclesPerSquarePixel">Reference density per px^2; null when none.</param>
/// <param name="CountsFollicularUnits">True: FU centres were counted; false: hair emergence points.</param>
/// <param name="Source">"given", "in-image", "fallback", "hair-bearing-class" or "none".</param>
internal sealed record RegionReference(double? FolliclesPerSquarePixel, bool CountsFollicularUnits, string Source);

/// <summary>One entry of the label-map legend: pixel value, class name and display colour.</summary>
/// <param name="Value">Pixel value in the label map (the <see cref="RegionClass"/> value).</param>
/// <param name="Class">The class.</param>
/// <param name="Name">Stable kebab-case name, e.g. "hair-bearing".</param>
/// <param name="DisplayColourRgbHex">Display colour as "#RRGGBB".</param>
public sealed record RegionLegendEntry(byte Value, RegionClass Class, string Name, string DisplayColourRgbHex);

/// <summary>A polygon with holes, in image pixels.</summary>
/// <param name="Outer">Outer boundary.</param>
/// <param name="Holes">Boundaries of holes inside it (other classes).</param>
public sealed record RegionPolygon(PolygonPixels Outer, IReadOnlyList<PolygonPixels> Holes);

/// <summary>
/// One connected region of one class with its measurements. Physical values are null without a
/// scale; fractions and pixel counts are always present.
/// </summary>
/// <param name="Id">Index of the region in the map, from 0.</param>
/// <param name="Class">Region class.</param>
/// <param name="ScarKind">Kind of scar from its shape; <see cref="ScarKind.Unspecified"/> for non-scar regions.</param>
/// <param name="Polygons">Outer boundary plus holes (one connected component gives one polygon).</param>
/// <param name="AreaPixels">Pixels in the region.</param>
/// <param name="AreaFraction">Area as a fraction of the analysed scalp (all pixels not off-scalp).</param>
/// <param name="AreaSquareMillimetres">Area in mm2; null without a scale.</param>
/// <param name="HairCount">Hairs whose emergence point lies in the region.</param>
/// <param name="FollicularUnitCount">Follicular units whose centre lies in the region.</param>
/// <param name="HairsPerSquareCentimetre">Hair density; null without a scale.</param>
/// <param name="FollicularUnitsPerSquareCentimetre">FU density; null without a scale.</param>
/// <param name="HairCoverageFraction">Fraction of region pixels covered by hair; null when no hair mask was given.</param>
/// <param name="DensityRelativeToReference">Follicle density (FU, or hairs: see <see cref="RegionMap.ReferenceCountsFollicularUnits"/>) over the map's reference density; null when no reference was available.</param>
/// <param name="MeanSkinColour">Mean CIELAB (D65) colour of the region's skin pixels (hair pixels excluded when a hair mask is known).</param>
public sealed record ScalpRegion(
    int Id,
    RegionClass Class,
    ScarKind ScarKind,
    IReadOnlyList<RegionPolygon> Polygons,
    long AreaPixels,
    double AreaFraction,
    double? AreaSquareMillimetres,
    int HairCount,
    int FollicularUnitCount,
    double? HairsPerSquareCentimetre,
    double? FollicularUnitsPerSquareCentimetre,
    double? HairCoverageFraction,
    double? DensityRelativeToReference,
    LabColour MeanSkinColour)
{
    /// <summary>
    /// Scar regions: confidence in [0, 1] that the region is a scar, from its evidence (see
    /// <see cref="ScarEvidence"/>); null for other classes.
    /// </summary>
    public double? ScarConfidence { get; init; }

    /// <summary>
    /// Scar regions below the confidence a scar needs: reported as "possible scar", never planned
    /// as a scar and never counted as one; the kind is then <see cref="ScarKind.Unspecified"/>.
    /// </summary>
    public bool PossibleScar { get; init; }

    /// <summary>Scar regions: what the finding rests on (a short phrase per cue); empty for other classes.</summary>
    public string ScarEvidence { get; init; } = "";
}

/// <summary>Totals of one class over the whole map.</summary>
/// <param name="Class">The class.</param>
/// <param name="AreaPixels">Pixels of the class.</param>
/// <param name="AreaFraction">Fraction of the analysed scalp.</param>
/// <param name="AreaSquareMillimetres">Area in mm2; null without a scale.</param>
public sealed record RegionClassSummary(RegionClass Class, long AreaPixels, double AreaFraction, double? AreaSquareMillimetres);

/// <summary>
/// The region map of one image: a label image (pixel values are <see cref="RegionClass"/>),
/// and its regions with metrics (each with its own mean skin colour; the frame's one skin and
/// hair colour is the measurement stage's, not the map's). Owns native memory.
/// </summary>
public sealed class RegionMap : IDisposable
{
    private readonly Lazy<Mat> _labels;
    private readonly Lazy<Mat> _regionIds;
    private readonly IDisposable? _source;

    internal RegionMap(
        Mat labels,
        Mat regionIds,
        IReadOnlyList<ScalpRegion> regions,
        IReadOnlyList<RegionClassSummary> classes,
        long analysedAreaPixels,
        RegionReference reference,
        double? pixelsPerMillimetre,
        IReadOnlyList<PipelineWarning> warnings)
        : this(new Lazy<Mat>(labels), new Lazy<Mat>(regionIds), null, labels.Cols, labels.Rows, regions, classes, analysedAreaPixels, reference, pixelsPerMillimetre, warnings)
    {
    }

    /// <summary>
    /// A map whose label and region-id images are made on first use (e.g. enlarged from a map
    /// made at a working scale: most analyses read only the regions and their metrics). It owns
    /// <paramref name="source"/>, which the factories may read until the map is disposed.
    /// </summary>
    internal RegionMap(
        Func<Mat> labels,
        Func<Mat> regionIds,
        IDisposable source,
        int widthPixels,
        int heightPixels,
        IReadOnlyList<ScalpRegion> regions,
        IReadOnlyList<RegionClassSummary> classes,
        long analysedAreaPixels,
        RegionReference reference,
        double? pixelsPerMillimetre,
        IReadOnlyList<PipelineWarning> warnings)
        : this(new Lazy<Mat>(labels, LazyThreadSafetyMode.ExecutionAndPublication), new Lazy<Mat>(regionIds, LazyThreadSafetyMode.ExecutionAndPublication), source, widthPixels, heightPixels, regions, classes, analysedAreaPixels, reference, pixelsPerMillimetre, warnings)
    {
    }

    private RegionMap(
        Lazy<Mat> labels,
        Lazy<Mat> regionIds,
        IDisposable? source,
        int widthPixels,
        int heightPixels,
        IReadOnlyList<ScalpRegion> regions,
        IReadOnlyList<RegionClassSummary> classes,
        long analysedAreaPixels,
        RegionReference reference,
        double? pixelsPerMillimetre,
        IReadOnlyList<PipelineWarning> warnings)
    {
        _labels = labels;
        _regionIds = regionIds;
        _source = source;
        WidthPixels = widthPixels;
        HeightPixels = heightPixels;
        Regions = regions;
        Classes = classes;
        AnalysedAreaPixels = analysedAreaPixels;
        ReferenceFolliclesPerSquarePixel = reference.FolliclesPerSquarePixel;
        ReferenceCountsFollicularUnits = reference.CountsFollicularUnits;
        ReferenceSource = reference.Source;
        ReferenceFolliclesPerSquareCentimetre = reference.FolliclesPerSquarePixel is { } r && pixelsPerMillimetre is { } ppm ? r * ppm * ppm * 100.0 : null;
        PixelsPerMillimetre = pixelsPerMillimetre;
        Warnings = warnings;
    }

    /// <summary>8UC1 label image, same size as the input; values are <see cref="RegionClass"/>.</summary>
    internal Mat Labels => _labels.Value;

    /// <summary>32SC1 image of region ids (index into <see cref="Regions"/>); -1 where no reported region lies.</summary>
    internal Mat RegionIds => _regionIds.Value;

    /// <summary>Width of the label map in pixels.</summary>
    public int WidthPixels { get; }

    /// <summary>Height of the label map in pixels.</summary>
    public int HeightPixels { get; }

    /// <summary>Connected regions with their metrics.</summary>
    public IReadOnlyList<ScalpRegion> Regions { get; }

    /// <summary>Area per class (every class, zero when absent).</summary>
    public IReadOnlyList<RegionClassSummary> Classes { get; }

    /// <summary>Pixels of analysed scalp (everything not off-scalp).</summary>
    public long AnalysedAreaPixels { get; }

    /// <summary>Reference density the map was judged against, per cm2 (FU or hairs, see <see cref="ReferenceCountsFollicularUnits"/>); null without a scale or reference.</summary>
    public double? ReferenceFolliclesPerSquareCentimetre { get; }

    /// <summary>Reference density per pixel^2 (known whenever a reference exists).</summary>
    public double? ReferenceFolliclesPerSquarePixel { get; }

    /// <summary>True when densities were counted as follicular units, false when as hairs.</summary>
    public bool ReferenceCountsFollicularUnits { get; }

    /// <summary>Where the reference came from: "given", "in-image", "fallback", "hair-bearing-class" or "none".</summary>
    public string ReferenceSource { get; }

    /// <summary>Scale used, in px/mm; null when none.</summary>
    public double? PixelsPerMillimetre { get; }

    /// <summary>Things the caller should know (no scale, no reference, ...).</summary>
    public IReadOnlyList<PipelineWarning> Warnings { get; }

    /// <summary>Legend of the label map: value, class, name, display colour.</summary>
    public static IReadOnlyList<RegionLegendEntry> Legend { get; } =
    [
        new(0, RegionClass.Unclassified, "unclassified", "#000000"),
        new(1, RegionClass.HairBearing, "hair-bearing", "#2E7D32"),
        new(2, RegionClass.Thinning, "thinning", "#F9A825"),
        new(3, RegionClass.Hairless, "hairless", "#E53935"),
        new(4, RegionClass.Scar, "scar", "#8E24AA"),
        new(5, RegionClass.OffScalp, "off-scalp", "#607D8B"),
    ];

    /// <summary>Encodes the label map as an 8-bit single-channel PNG whose pixel values are <see cref="RegionClass"/> values.</summary>
    public byte[] EncodeLabelMapPng() => Labels.ImEncode(".png");

    /// <summary>Encodes the label map coloured with the legend colours (for people), as PNG.</summary>
    public byte[] EncodeColourLabelMapPng()
    {
        using var colour = RegionDrawing.ColourLabels(Labels);
        return colour.ImEncode(".png");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // Made ones only: disposing must not build an image nobody read.
        if (_regionIds.IsValueCreated)
        {
            _regionIds.Value.Dispose();
        }

        if (_labels.IsValueCreated)
        {
            _labels.Value.Dispose();
        }

        _source?.Dispose();
    }
}
