using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Synthetic;

/// <summary>Width class of a hair shaft (docs/DOMAIN-SOURCES.md: terminal &gt;= 60 um, vellus &lt; 30 um).</summary>
public enum SyntheticHairKind
{
    Terminal = 0,
    Intermediate = 1,
    Vellus = 2,
}

/// <summary>An encoded synthetic frame and its exact ground truth.</summary>
/// <param name="EncodedImage">PNG or JPEG bytes (see <see cref="SyntheticTrichoscopySpec.JpegQuality"/>).</param>
/// <param name="FileExtension">".png" or ".jpg".</param>
/// <param name="Truth">What was rendered.</param>
public sealed record SyntheticFrame(byte[] EncodedImage, string FileExtension, SyntheticGroundTruth Truth);

/// <summary>Facts about one rendered hair that <see cref="HairInstance"/> does not carry.</summary>
/// <param name="HairId">Same as <see cref="HairInstance.Id"/> in <see cref="SyntheticGroundTruth.Hairs"/>.</param>
/// <param name="TrackId">Stable across the two frames of a pair: the same hair has the same TrackId.</param>
/// <param name="Kind">Width class.</param>
/// <param name="WidthMicrometres">Shaft width.</param>
/// <param name="LengthMillimetres">Shaft length, emergence to tip.</param>
/// <param name="Counted">True when the hair counts for densities: its emergence lies in the analysable area.</param>
/// <param name="Region">Label of the pixel holding the emergence point (OffScalp outside the frame).</param>
/// <param name="Lab">Rendered shaft colour (CIELAB D65).</param>
/// <param name="VisibleLengthPixels">Length of the centreline on analysable pixels (in the frame, off overlays).</param>
public sealed record SyntheticHairTruth(
    int HairId,
    int TrackId,
    SyntheticHairKind Kind,
    double WidthMicrometres,
    double LengthMillimetres,
    bool Counted,
    RegionClass Region,
    LabColour Lab,
    double VisibleLengthPixels);

/// <summary>A loose fragment of cut hair lying on the skin.</summary>
public sealed record SyntheticFragmentTruth(PointPixels Start, PointPixels End, double WidthPixels);

/// <summary>One burned-in overlay or optical artefact, with its bounding box in pixels.</summary>
public sealed record SyntheticOverlayTruth(SyntheticOverlays Kind, int XPixels, int YPixels, int WidthPixels, int HeightPixels);

/// <summary>The drawn scale bar: its horizontal arm runs from Start to End and is exactly LengthMillimetres long.</summary>
public sealed record SyntheticScaleBarTruth(PointPixels Start, PointPixels End, double LengthPixels, double LengthMillimetres, string Label);

/// <summary>Counts and densities over the pixels of one region class (analysable pixels only).</summary>
/// <param name="Class">Region class.</param>
/// <param name="AreaPixels">Pixels labelled with the class.</param>
/// <param name="AreaSquareMillimetres">Their area.</param>
/// <param name="HairCount">Counted hairs whose emergence pixel carries the class.</param>
/// <param name="FollicularUnitCount">Counted units whose centre pixel carries the class.</param>
/// <param name="HairsPerSquareCentimetre">HairCount over the area (0 for an empty area).</param>
/// <param name="FollicularUnitsPerSquareCentimetre">FollicularUnitCount over the area.</param>
/// <param name="ThinHairFraction">Fraction of counted hairs under 30 um (vellus), 0 when none.</param>
public sealed record SyntheticRegionTruth(
    RegionClass Class,
    long AreaPixels,
    double AreaSquareMillimetres,
    int HairCount,
    int FollicularUnitCount,
    double HairsPerSquareCentimetre,
    double FollicularUnitsPerSquareCentimetre,
    double ThinHairFraction);

/// <summary>
/// Exact ground truth of one synthetic frame.
/// <para>Counting rule (use the same one in detectors to compare without bias): a hair counts when
/// its emergence point (x, y) falls in an analysable pixel, i.e. pixel (floor x, floor y) lies inside
/// the frame and its label is not <see cref="RegionClass.OffScalp"/>; a follicular unit counts when its
/// centre does. Hairs whose shafts are visible but emerge outside the frame or under an overlay are
/// listed (CutByFrameEdge = true) but not counted. A hair is listed when any part of its shaft lies
/// on an analysable pixel. Pixel (i, j) covers [i, i+1) x [j, j+1).</para>
/// </summary>
public sealed record SyntheticGroundTruth
{
    public required int WidthPixels { get; init; }

    public required int HeightPixels { get; init; }

    public required double PixelsPerMillimetre { get; init; }

    /// <summary>The seed the frame was rendered with.</summary>
    public required int Seed { get; init; }

    /// <summary>Every hair with any part of its shaft on an analysable pixel. Emergence and tip are exact
    /// (they may lie outside the frame); LengthPixels is emergence to tip; WidthPixels the shaft width.</summary>
    public required IReadOnlyList<HairInstance> Hairs { get; init; }

    /// <summary>Per-hair facts, index-aligned with <see cref="Hairs"/>.</summary>
    public required IReadOnlyList<SyntheticHairTruth> HairDetails { get; init; }

    /// <summary>Units with at least one listed hair; HairIds refer to <see cref="Hairs"/>.</summary>
    public required IReadOnlyList<FollicularUnit> FollicularUnits { get; init; }

    /// <summary>Stable ids of the units, index-aligned with <see cref="FollicularUnits"/> (same unit, same id in a pair).</summary>
    public required IReadOnlyList<int> FollicularUnitTrackIds { get; init; }

    /// <summary>Rendered base skin colour (CIELAB D65, after 8-bit quantisation, before texture and optics).</summary>
    public required LabColour SkinLab { get; init; }

    /// <summary>Skin colour of the scene before the camera's white balance (what a colour-calibrated
    /// capture would measure): the spec's SkinLab or the colour made from its SkinItaDegrees.</summary>
    public required LabColour SceneSkinLab { get; init; }

    /// <summary>ITA of <see cref="SceneSkinLab"/> (equals the spec's SkinItaDegrees when no SkinLab was given).</summary>
    public double SceneSkinItaDegrees => SyntheticColour.ItaDegrees(SceneSkinLab);

    /// <summary>Rendered terminal-hair colour (CIELAB D65, quantised). Thinner hairs are rendered lighter.</summary>
    public required LabColour HairLab { get; init; }

    /// <summary>ITA of <see cref="SkinLab"/>: atan((L* - 50) / b*) in degrees (Chardon 1991, docs/DOMAIN-SOURCES.md),
    /// computed with atan2 so that a camera cast pushing b* to zero or below continues past 90 degrees
    /// instead of jumping sign.</summary>
    public required double SkinItaDegrees { get; init; }

    public required ItaBand SkinItaBand { get; init; }

    /// <summary>Label per pixel, row-major, width*height, <see cref="RegionClass"/> values. Overlays and
    /// the rim are OffScalp; dye is skin and keeps the label underneath.</summary>
    public required byte[] RegionLabels { get; init; }

    /// <summary>Per pixel, row-major: 255 where a hair shaft covers at least half the pixel and the pixel
    /// is analysable, else 0.</summary>
    public required byte[] HairMask { get; init; }

    /// <summary>Loose cut-hair fragments lying on the skin (not hairs; a detector should not count them):
    /// each as a segment from Start to End with its width in pixels.</summary>
    public IReadOnlyList<SyntheticFragmentTruth> LooseFragments { get; init; } = [];

    /// <summary>Overlays drawn, with their boxes.</summary>
    public required IReadOnlyList<SyntheticOverlayTruth> Overlays { get; init; }

    /// <summary>Number of overlay elements drawn (length of <see cref="Overlays"/>).</summary>
    public int OverlayRegionCount => Overlays.Count;

    /// <summary>The scale bar when one was drawn.</summary>
    public SyntheticScaleBarTruth? ScaleBar { get; init; }

    /// <summary>Hairs listed: visible on analysable pixels, counted or not (what a hand count of the frame counts).</summary>
    public int HairCount => Hairs.Count;

    /// <summary>Units listed.</summary>
    public int FollicularUnitCount => FollicularUnits.Count;

    /// <summary>Hairs that count under the counting rule.</summary>
    public required int AnalysableHairCount { get; init; }

    /// <summary>Units that count under the counting rule.</summary>
    public required int AnalysableFollicularUnitCount { get; init; }

    /// <summary>Pixels not labelled OffScalp.</summary>
    public required long AnalysableAreaPixels { get; init; }

    public double AnalysableAreaSquareCentimetres => AnalysableAreaPixels / (PixelsPerMillimetre * PixelsPerMillimetre) / 100.0;

    /// <summary>AnalysableHairCount per cm2 of analysable area.</summary>
    public double HairsPerSquareCentimetre => AnalysableAreaPixels == 0 ? 0 : AnalysableHairCount / AnalysableAreaSquareCentimetres;

    /// <summary>AnalysableFollicularUnitCount per cm2 of analysable area.</summary>
    public double FollicularUnitsPerSquareCentimetre => AnalysableAreaPixels == 0 ? 0 : AnalysableFollicularUnitCount / AnalysableAreaSquareCentimetres;

    /// <summary>Counts and densities per region class present in the frame (OffScalp excluded).</summary>
    public required IReadOnlyList<SyntheticRegionTruth> Regions { get; init; }

    /// <summary>Label at a pixel, OffScalp outside the frame.</summary>
    public RegionClass LabelAt(double xPixels, double yPixels)
    {
        var x = (int)Math.Floor(xPixels);
        var y = (int)Math.Floor(yPixels);
        return x < 0 || y < 0 || x >= WidthPixels || y >= HeightPixels
            ? RegionClass.OffScalp
            : (RegionClass)RegionLabels[(y * WidthPixels) + x];
    }
}

/// <summary>Counts before and after over one area (analysable pixels only; same counting rule as the truth).</summary>
public sealed record SyntheticCountChange(
    long AreaPixels,
    double AreaSquareCentimetres,
    int HairsBefore,
    int HairsAfter,
    int FollicularUnitsBefore,
    int FollicularUnitsAfter)
{
    public double HairsPerSquareCentimetreBefore => AreaSquareCentimetres > 0 ? HairsBefore / AreaSquareCentimetres : 0;

    public double HairsPerSquareCentimetreAfter => AreaSquareCentimetres > 0 ? HairsAfter / AreaSquareCentimetres : 0;

    public double FollicularUnitsPerSquareCentimetreBefore => AreaSquareCentimetres > 0 ? FollicularUnitsBefore / AreaSquareCentimetres : 0;

    public double FollicularUnitsPerSquareCentimetreAfter => AreaSquareCentimetres > 0 ? FollicularUnitsAfter / AreaSquareCentimetres : 0;

    /// <summary>(after - before) / before for hairs; null when there were none before.</summary>
    public double? HairRelativeChange => HairsBefore > 0 ? (HairsAfter - HairsBefore) / (double)HairsBefore : null;
}

/// <summary>The exact change between the frames of a pair. Areas and positions are in before-frame
/// pixels and cover the field both frames share (analysable in the before frame and, moved by
/// <paramref name="AfterFromBefore"/>, in the after frame); with no camera motion that is the
/// before frame's analysable area.</summary>
/// <param name="InsideArea">Over shared analysable pixels inside the change area.</param>
/// <param name="OutsideArea">Over shared analysable pixels outside it (unchanged by construction).</param>
/// <param name="Overall">Over the whole shared analysable field.</param>
/// <param name="AddedHairTrackIds">Hairs only in the after frame.</param>
/// <param name="RemovedHairTrackIds">Hairs only in the before frame.</param>
/// <param name="AddedFollicularUnitTrackIds">Units only in the after frame.</param>
/// <param name="RemovedFollicularUnitTrackIds">Units only in the before frame.</param>
/// <param name="AfterFromBefore">Camera motion: where before-frame points are in the after frame.</param>
public sealed record SyntheticChangeTruth(
    SyntheticCountChange InsideArea,
    SyntheticCountChange OutsideArea,
    SyntheticCountChange Overall,
    IReadOnlyList<int> AddedHairTrackIds,
    IReadOnlyList<int> RemovedHairTrackIds,
    IReadOnlyList<int> AddedFollicularUnitTrackIds,
    IReadOnlyList<int> RemovedFollicularUnitTrackIds,
    SyntheticRigidTransform AfterFromBefore);

/// <summary>Two frames of the same scalp, before and after a known change.</summary>
public sealed record SyntheticPair(SyntheticFrame Before, SyntheticFrame After, SyntheticChangeTruth Change);
