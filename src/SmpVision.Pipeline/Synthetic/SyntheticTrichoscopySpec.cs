using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Synthetic;

/// <summary>Colour class of the rendered hair shafts.</summary>
public enum SyntheticHairColour
{
    Black = 0,
    DarkBrown = 1,
    Brown = 2,
    Blond = 3,
    Grey = 4,
    White = 5,
}

/// <summary>Burned-in overlays and optical artefacts seen on real dermoscope frames
/// (shared/data/README.md): all are labelled <see cref="RegionClass.OffScalp"/> in the truth.</summary>
[Flags]
public enum SyntheticOverlays
{
    None = 0,
    /// <summary>Top info bar: dark boxes with patient id, frame size, date, magnification.</summary>
    InfoBar = 1,
    /// <summary>Light grey band along the bottom edge.</summary>
    GreyBand = 2,
    /// <summary>L-shaped scale bar bottom-left, each arm exactly the labelled length, with a "1.0 mm" label.</summary>
    ScaleBar = 4,
    /// <summary>Thin red circle drawn by the capture software.</summary>
    RedCircle = 8,
    /// <summary>Dark round rim of the dermoscope's field of view at the corners.</summary>
    RoundFieldRim = 16,
    All = InfoBar | GreyBand | ScaleBar | RedCircle | RoundFieldRim,
}

/// <summary>Kind of a synthetic region painted over the hair-bearing background.</summary>
public enum SyntheticRegionKind
{
    /// <summary>Follicular-unit density times <see cref="SyntheticRegionSpec.DensityFactor"/>, more thin hairs.</summary>
    Thinning = 1,
    /// <summary>No terminal hair (optionally a few vellus hairs).</summary>
    Hairless = 2,
    /// <summary>Smooth scar tissue, altered colour, no follicular openings.</summary>
    Scar = 3,
}

/// <summary>Colour change of scar tissue relative to the surrounding skin.</summary>
public enum SyntheticScarTone
{
    /// <summary>Lighter and pinker than the skin (the usual mature surgical scar).</summary>
    Pink = 0,
    /// <summary>Lighter and less saturated (hypopigmented).</summary>
    Hypopigmented = 1,
    /// <summary>Darker and browner (hyperpigmented).</summary>
    Hyperpigmented = 2,
}

/// <summary>Closed interval of a physical quantity; the unit is in the property name that holds it.</summary>
public readonly record struct SyntheticRange(double Min, double Max)
{
    internal bool IsValid => double.IsFinite(Min) && double.IsFinite(Max) && Min <= Max;

    internal double Sample(SyntheticRandom rng) => rng.Uniform(Min, Max);
}

/// <summary>Camera white-balance gains applied to the sRGB channels of the scene. Real dermoscope
/// frames are often cool (the dev set's skin reads near-neutral or bluish); the truth colours include the gains.</summary>
public readonly record struct SyntheticChannelGains(double Blue, double Green, double Red)
{
    /// <summary>No cast.</summary>
    public static SyntheticChannelGains Neutral => new(1, 1, 1);
}

/// <summary>
/// Rigid motion of the camera between the two frames of a pair, in pixels of the frame:
/// after = R(RotationDegrees) * (before - c) + c + (ShiftXPixels, ShiftYPixels), c = frame centre
/// (width/2, height/2); positive rotation turns content clockwise on screen (image y points down).
/// </summary>
public readonly record struct SyntheticRigidTransform(double ShiftXPixels, double ShiftYPixels, double RotationDegrees)
{
    public static SyntheticRigidTransform Identity => default;

    public bool IsIdentity => ShiftXPixels == 0 && ShiftYPixels == 0 && RotationDegrees == 0;

    /// <summary>Where a before-frame point lands in the after frame.</summary>
    public PointPixels Apply(PointPixels before, int widthPixels, int heightPixels)
    {
        var (cos, sin) = CosSin();
        double cx = widthPixels / 2.0, cy = heightPixels / 2.0;
        var dx = before.X - cx;
        var dy = before.Y - cy;
        return new PointPixels((cos * dx) - (sin * dy) + cx + ShiftXPixels, (sin * dx) + (cos * dy) + cy + ShiftYPixels);
    }

    /// <summary>Where an after-frame point was in the before frame.</summary>
    public PointPixels Invert(PointPixels after, int widthPixels, int heightPixels)
    {
        var (cos, sin) = CosSin();
        double cx = widthPixels / 2.0, cy = heightPixels / 2.0;
        var dx = after.X - cx - ShiftXPixels;
        var dy = after.Y - cy - ShiftYPixels;
        return new PointPixels((cos * dx) + (sin * dy) + cx, (-sin * dx) + (cos * dy) + cy);
    }

    internal (double Cos, double Sin) CosSin()
    {
        var theta = RotationDegrees * Math.PI / 180.0;
        return (Math.Cos(theta), Math.Sin(theta));
    }
}

/// <summary>
/// A shape in image pixels: a polygon or a rotated ellipse. Pixel (i, j) covers
/// [i, i+1) x [j, j+1); coordinates may lie outside the frame.
/// </summary>
public sealed record SyntheticShape
{
    /// <summary>Polygon outline, or null for an ellipse.</summary>
    public PolygonPixels? Polygon { get; init; }

    /// <summary>Ellipse centre (used when <see cref="Polygon"/> is null).</summary>
    public PointPixels EllipseCentre { get; init; }

    /// <summary>Ellipse semi-axis along its rotated x axis, in pixels.</summary>
    public double EllipseRadiusXPixels { get; init; }

    /// <summary>Ellipse semi-axis along its rotated y axis, in pixels.</summary>
    public double EllipseRadiusYPixels { get; init; }

    /// <summary>Ellipse rotation, degrees clockwise in image coordinates (y down).</summary>
    public double EllipseAngleDegrees { get; init; }

    public static SyntheticShape FromPolygon(PolygonPixels polygon) => new() { Polygon = polygon };

    public static SyntheticShape Rectangle(double xPixels, double yPixels, double widthPixels, double heightPixels) =>
        FromPolygon(new PolygonPixels(
        [
            new PointPixels(xPixels, yPixels),
            new PointPixels(xPixels + widthPixels, yPixels),
            new PointPixels(xPixels + widthPixels, yPixels + heightPixels),
            new PointPixels(xPixels, yPixels + heightPixels),
        ]));

    public static SyntheticShape Ellipse(PointPixels centre, double radiusXPixels, double radiusYPixels, double angleDegrees = 0) =>
        new() { EllipseCentre = centre, EllipseRadiusXPixels = radiusXPixels, EllipseRadiusYPixels = radiusYPixels, EllipseAngleDegrees = angleDegrees };

    public static SyntheticShape Circle(PointPixels centre, double radiusPixels) => Ellipse(centre, radiusPixels, radiusPixels);

    internal SyntheticShape Translated(double dx, double dy) => Polygon is { } poly
        ? FromPolygon(new PolygonPixels([.. poly.Vertices.Select(v => new PointPixels(v.X + dx, v.Y + dy))]))
        : this with { EllipseCentre = new PointPixels(EllipseCentre.X + dx, EllipseCentre.Y + dy) };

    /// <summary>True when the point lies inside the shape.</summary>
    public bool Contains(PointPixels p)
    {
        if (Polygon is { } poly)
        {
            // Even-odd ray casting.
            var inside = false;
            var v = poly.Vertices;
            for (int i = 0, j = v.Count - 1; i < v.Count; j = i++)
            {
                if ((v[i].Y > p.Y) != (v[j].Y > p.Y) &&
                    p.X < ((v[j].X - v[i].X) * (p.Y - v[i].Y) / (v[j].Y - v[i].Y)) + v[i].X)
                {
                    inside = !inside;
                }
            }

            return inside;
        }

        var angle = EllipseAngleDegrees * Math.PI / 180.0;
        var dx = p.X - EllipseCentre.X;
        var dy = p.Y - EllipseCentre.Y;
        var u = (dx * Math.Cos(angle)) + (dy * Math.Sin(angle));
        var w = (-dx * Math.Sin(angle)) + (dy * Math.Cos(angle));
        var nx = u / EllipseRadiusXPixels;
        var ny = w / EllipseRadiusYPixels;
        return (nx * nx) + (ny * ny) <= 1.0;
    }

    /// <summary>Problems with the shape; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Polygon is { } poly)
        {
            if (poly.Vertices.Count < 3)
            {
                errors.Add("A polygon needs at least 3 vertices.");
            }

            if (poly.Vertices.Any(v => !double.IsFinite(v.X) || !double.IsFinite(v.Y)))
            {
                errors.Add("Polygon vertices must be finite.");
            }
        }
        else if (!(EllipseRadiusXPixels > 0) || !(EllipseRadiusYPixels > 0) ||
                 !double.IsFinite(EllipseRadiusXPixels) || !double.IsFinite(EllipseRadiusYPixels))
        {
            errors.Add("Ellipse radii must be positive and finite.");
        }

        return errors;
    }
}

/// <summary>
/// One region painted over the hair-bearing background. Later regions in the list overwrite
/// earlier ones where they overlap. Defaults depend on <see cref="Kind"/>.
/// </summary>
public sealed record SyntheticRegionSpec
{
    public required SyntheticRegionKind Kind { get; init; }

    public required SyntheticShape Shape { get; init; }

    /// <summary>Follicular-unit density as a fraction of the frame's density. Default: Thinning 0.4
    /// (pattern loss falls from ~138 to ~47 hairs/cm2, Vecchio 2002, docs/DOMAIN-SOURCES.md); Hairless 0; Scar 0
    /// (a scar has no follicular openings and must stay 0).</summary>
    public double? DensityFactor { get; init; }

    /// <summary>Fraction of terminal hairs (&gt;= 60 um). Default: Thinning 0.5 (more than 10% thin
    /// hairs is a thinning sign, Rakowska 2009, docs/DOMAIN-SOURCES.md); Hairless 0 (vellus only).</summary>
    public double? TerminalFraction { get; init; }

    /// <summary>Fraction of vellus hairs (&lt; 30 um). Default: Thinning 0.2; Hairless 1.</summary>
    public double? VellusFraction { get; init; }

    /// <summary>Weights of 1, 2, 3, 4 hairs per unit. Default: Thinning 0.45/0.42/0.12/0.01 (single-hair
    /// units above 35% signal thinning, Rakowska 2009, docs/DOMAIN-SOURCES.md); otherwise the frame's weights.</summary>
    public IReadOnlyList<double>? HairsPerUnitWeights { get; init; }

    /// <summary>Shape-derived scar kind, reported in the truth (Scar only).</summary>
    public ScarKind ScarKind { get; init; } = ScarKind.Unspecified;

    /// <summary>Colour of the scar tissue (Scar only).</summary>
    public SyntheticScarTone ScarTone { get; init; } = SyntheticScarTone.Pink;

    internal double EffectiveDensityFactor => Kind switch
    {
        SyntheticRegionKind.Scar => 0,
        SyntheticRegionKind.Hairless => DensityFactor ?? 0,
        _ => DensityFactor ?? 0.4,
    };

    internal double EffectiveTerminalFraction(double frameDefault) => TerminalFraction ?? Kind switch
    {
        SyntheticRegionKind.Thinning => 0.5,
        SyntheticRegionKind.Hairless => 0,
        _ => frameDefault,
    };

    internal double EffectiveVellusFraction(double frameDefault) => VellusFraction ?? Kind switch
    {
        SyntheticRegionKind.Thinning => 0.2,
        SyntheticRegionKind.Hairless => 1,
        _ => frameDefault,
    };

    internal IReadOnlyList<double> EffectiveHairsPerUnitWeights(IReadOnlyList<double> frameDefault) => HairsPerUnitWeights ?? Kind switch
    {
        SyntheticRegionKind.Thinning => [0.45, 0.42, 0.12, 0.01],
        SyntheticRegionKind.Hairless => [1.0],
        _ => frameDefault,
    };

    internal RegionClass LabelClass => Kind switch
    {
        SyntheticRegionKind.Thinning => RegionClass.Thinning,
        SyntheticRegionKind.Hairless => RegionClass.Hairless,
        _ => RegionClass.Scar,
    };

    /// <summary>A thinning region.</summary>
    public static SyntheticRegionSpec Thinning(SyntheticShape shape, double densityFactor = 0.4) =>
        new() { Kind = SyntheticRegionKind.Thinning, Shape = shape, DensityFactor = densityFactor };

    /// <summary>A hairless region.</summary>
    public static SyntheticRegionSpec Hairless(SyntheticShape shape) =>
        new() { Kind = SyntheticRegionKind.Hairless, Shape = shape };

    /// <summary>A strip (FUT) donor scar: a spindle from <paramref name="start"/> to <paramref name="end"/>,
    /// <paramref name="widthPixels"/> wide at its middle, tapering to the ends.</summary>
    public static SyntheticRegionSpec LinearStripScar(PointPixels start, PointPixels end, double widthPixels, SyntheticScarTone tone = SyntheticScarTone.Pink)
    {
        const int Steps = 24;
        var dx = end.X - start.X;
        var dy = end.Y - start.Y;
        var length = Math.Max(1e-9, Math.Sqrt((dx * dx) + (dy * dy)));
        var nx = -dy / length;
        var ny = dx / length;
        var upper = new List<PointPixels>();
        var lower = new List<PointPixels>();
        for (var i = 0; i <= Steps; i++)
        {
            var t = (double)i / Steps;
            // Spindle profile: full width over the middle, tapering at the ends.
            var half = 0.5 * widthPixels * Math.Pow(Math.Sin(Math.PI * t), 0.35);
            var cx = start.X + (dx * t);
            var cy = start.Y + (dy * t);
            upper.Add(new PointPixels(cx + (nx * half), cy + (ny * half)));
            lower.Add(new PointPixels(cx - (nx * half), cy - (ny * half)));
        }

        lower.Reverse();
        return new SyntheticRegionSpec
        {
            Kind = SyntheticRegionKind.Scar,
            Shape = SyntheticShape.FromPolygon(new PolygonPixels([.. upper, .. lower])),
            ScarKind = ScarKind.LinearStrip,
            ScarTone = tone,
        };
    }

    /// <summary>One FUE punch scar: a round dot (about 0.8-1 mm across in practice).</summary>
    public static SyntheticRegionSpec PunctateFueScar(PointPixels centre, double diameterPixels, SyntheticScarTone tone = SyntheticScarTone.Hypopigmented) =>
        new()
        {
            Kind = SyntheticRegionKind.Scar,
            Shape = SyntheticShape.Circle(centre, diameterPixels / 2),
            ScarKind = ScarKind.PunctateFue,
            ScarTone = tone,
        };

    /// <summary>One old plug-graft scar: a round patch (about 2-4 mm across in practice).</summary>
    public static SyntheticRegionSpec PlugScar(PointPixels centre, double diameterPixels, SyntheticScarTone tone = SyntheticScarTone.Pink) =>
        new()
        {
            Kind = SyntheticRegionKind.Scar,
            Shape = SyntheticShape.Circle(centre, diameterPixels / 2),
            ScarKind = ScarKind.Plug,
            ScarTone = tone,
        };

    /// <summary>Problems with the region; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>(Shape.Validate());
        if (!Enum.IsDefined(Kind))
        {
            errors.Add($"Unknown region kind {Kind}.");
        }

        if (DensityFactor is { } f && (!double.IsFinite(f) || f < 0 || f > 4))
        {
            errors.Add("DensityFactor must be between 0 and 4.");
        }

        if (Kind == SyntheticRegionKind.Scar && DensityFactor is > 0)
        {
            errors.Add("A scar has no follicular openings: DensityFactor must be 0 or unset.");
        }

        if (TerminalFraction is { } t && (t < 0 || t > 1))
        {
            errors.Add("TerminalFraction must be between 0 and 1.");
        }

        if (VellusFraction is { } v && (v < 0 || v > 1))
        {
            errors.Add("VellusFraction must be between 0 and 1.");
        }

        if (TerminalFraction is { } t2 && VellusFraction is { } v2 && t2 + v2 > 1 + 1e-9)
        {
            errors.Add("TerminalFraction + VellusFraction must not exceed 1.");
        }

        if (HairsPerUnitWeights is { } w)
        {
            errors.AddRange(SyntheticTrichoscopySpec.ValidateWeights(w, "Region HairsPerUnitWeights"));
        }

        return errors;
    }
}

/// <summary>
/// Change between the two frames of a pair: inside <see cref="Area"/> the after-frame gains or
/// loses follicular units and hairs; every other hair, and the skin, stay identical.
/// </summary>
public sealed record ChangeSpec
{
    /// <summary>Where the change happens (pixels of the before frame).</summary>
    public required SyntheticShape Area { get; init; }

    /// <summary>Whole follicular units added (positive) or removed (negative), as a fraction of the
    /// units whose centre lies in <see cref="Area"/> and is analysable (rounded half away from zero). When the area holds
    /// no unit, a positive fraction is taken of the frame density times the area instead.</summary>
    public double FollicularUnitChangeFraction { get; init; }

    /// <summary>Camera motion from the before to the after frame. Default identity: both frames show the
    /// same field and every untouched pixel is identical. Otherwise both frames are cut from one larger
    /// rendered scalp, so the after frame shows the same skin and hairs moved by this transform.</summary>
    public SyntheticRigidTransform AfterTransform { get; init; }

    /// <summary>Single hairs added to (positive) or removed from (negative) existing units in the area,
    /// as a fraction of the hairs emerging in the area (rounded). A unit that loses its last hair goes.</summary>
    public double HairChangeFraction { get; init; }

    /// <summary>Problems with the change; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>(Area.Validate());
        if (!double.IsFinite(FollicularUnitChangeFraction) || FollicularUnitChangeFraction < -1 || FollicularUnitChangeFraction > 3)
        {
            errors.Add("FollicularUnitChangeFraction must be between -1 and 3.");
        }

        if (!double.IsFinite(HairChangeFraction) || HairChangeFraction < -1 || HairChangeFraction > 3)
        {
            errors.Add("HairChangeFraction must be between -1 and 3.");
        }

        var t = AfterTransform;
        if (!double.IsFinite(t.ShiftXPixels) || !double.IsFinite(t.ShiftYPixels) || !double.IsFinite(t.RotationDegrees) ||
            Math.Abs(t.ShiftXPixels) > 4096 || Math.Abs(t.ShiftYPixels) > 4096 || Math.Abs(t.RotationDegrees) > 180)
        {
            errors.Add("AfterTransform shifts must be within +/-4096 px and rotation within +/-180 degrees.");
        }

        return errors;
    }
}

/// <summary>
/// Everything that shapes one synthetic trichoscopy frame. All defaults describe the 70x
/// dev-set dermoscope (shared/data/README.md) and a normal scalp; every one can be overridden.
/// Physical sizes are converted to pixels with <see cref="PixelsPerMillimetre"/>, so a smaller test
/// frame at a lower scale shows the same field of scalp.
/// </summary>
public sealed record SyntheticTrichoscopySpec
{
    /// <summary>Frame width. Default 1280 (dev set, docs/DOMAIN-SOURCES.md).</summary>
    public int WidthPixels { get; init; } = 1280;

    /// <summary>Frame height. Default 1024 (dev set, docs/DOMAIN-SOURCES.md).</summary>
    public int HeightPixels { get; init; } = 1024;

    /// <summary>Scale. Default 361 px/mm: the 70x dev set (docs/DOMAIN-SOURCES.md, Imaging modalities).</summary>
    public double PixelsPerMillimetre { get; init; } = 361;

    /// <summary>Skin tone as an Individual Typology Angle (Chardon 1991, docs/DOMAIN-SOURCES.md). Default 45
    /// (light). Any value from -50 to 70 renders plausibly. Ignored when <see cref="SkinLab"/> is set.</summary>
    public double SkinItaDegrees { get; init; } = 45;

    /// <summary>Explicit skin colour (CIELAB D65); overrides <see cref="SkinItaDegrees"/>.</summary>
    public LabColour? SkinLab { get; init; }

    /// <summary>Hair colour class. Default DarkBrown.</summary>
    public SyntheticHairColour HairColour { get; init; } = SyntheticHairColour.DarkBrown;

    /// <summary>Explicit terminal-hair colour (CIELAB D65); overrides <see cref="HairColour"/>.</summary>
    public LabColour? HairLab { get; init; }

    /// <summary>Follicular units per cm2 of hair-bearing scalp. Default 80: between the Chinese/Han
    /// figures of 72-74 (Tsai 2002; Guo 2017) and Egyptian frontal 82 (docs/DOMAIN-SOURCES.md).</summary>
    public double FollicularUnitsPerSquareCentimetre { get; init; } = 80;

    /// <summary>Relative frequency of units with 1, 2, 3, 4 hairs. Default 0.28/0.53/0.17/0.01
    /// (Guo 2017, Han Chinese, docs/DOMAIN-SOURCES.md).</summary>
    public IReadOnlyList<double> HairsPerUnitWeights { get; init; } = [0.28, 0.53, 0.17, 0.01];

    /// <summary>Fraction of terminal hairs (width &gt;= 60 um). Default 0.85: a normal scalp has
    /// under 10% thin hairs (Rakowska 2009, docs/DOMAIN-SOURCES.md).</summary>
    public double TerminalFraction { get; init; } = 0.85;

    /// <summary>Fraction of vellus hairs (width &lt; 30 um). Default 0.05 (same source); the rest are intermediate.</summary>
    public double VellusFraction { get; init; } = 0.05;

    /// <summary>Terminal shaft widths. Default 60-100 um (terminal &gt;= 60 um, docs/DOMAIN-SOURCES.md).</summary>
    public SyntheticRange TerminalWidthMicrometres { get; init; } = new(60, 100);

    /// <summary>Intermediate shaft widths. Default 30-60 um (docs/DOMAIN-SOURCES.md).</summary>
    public SyntheticRange IntermediateWidthMicrometres { get; init; } = new(30, 60);

    /// <summary>Vellus shaft widths. Default 15-30 um (vellus &lt; 30 um, docs/DOMAIN-SOURCES.md).</summary>
    public SyntheticRange VellusWidthMicrometres { get; init; } = new(15, 30);

    /// <summary>Visible shaft length of shaved hair. Default 0.25-0.9 mm: the dev set's hair boxes
    /// have diagonals of 0.25 mm (10th percentile) to 0.66 mm (90th) (shared/data hairs.csv).</summary>
    public SyntheticRange HairLengthMillimetres { get; init; } = new(0.25, 0.9);

    /// <summary>Dominant growth direction of the frame, degrees clockwise from +x (image y down);
    /// null draws one from the seed.</summary>
    public double? HairDirectionDegrees { get; init; }

    /// <summary>Spread (1 sigma) of unit directions around the dominant direction. Default 15 degrees.</summary>
    public double HairDirectionSpreadDegrees { get; init; } = 15;

    /// <summary>Blue skin-marker dye patches. Default 0. Dye tints skin only: it stays skin in the labels.</summary>
    public int DyeMarks { get; init; }

    /// <summary>Loose fragments of cut hair lying on the skin (0.05-0.2 mm; the dev set labels such
    /// pieces "abnormal"). They are not hairs: listed in the truth's LooseFragments only. Default 0.</summary>
    public int LooseHairFragments { get; init; }

    /// <summary>Burned-in overlays and rim. Default none.</summary>
    public SyntheticOverlays Overlays { get; init; } = SyntheticOverlays.None;

    /// <summary>Specular glare and oily highlights, 0 (none) to 1 (strong). Default 0.3.</summary>
    public double Glare { get; init; } = 0.3;

    /// <summary>Strength of skin texture (scale flakes, furrows, mottling), 0 to 2. Default 1.</summary>
    public double SkinTexture { get; init; } = 1;

    /// <summary>Camera white balance. Default neutral (1, 1, 1).</summary>
    public SyntheticChannelGains WhiteBalance { get; init; } = SyntheticChannelGains.Neutral;

    /// <summary>Corner darkening, 0 (none) to 1. Default 0.2.</summary>
    public double Vignetting { get; init; } = 0.2;

    /// <summary>Global optical blur (Gaussian sigma). Default 0.8 px.</summary>
    public double BlurSigmaPixels { get; init; } = 0.8;

    /// <summary>Extra defocus towards the corners (Gaussian sigma reached at the corners). Default 4 px.</summary>
    public double EdgeDefocusSigmaPixels { get; init; } = 4;

    /// <summary>Sensor noise, Gaussian sigma in 8-bit grey levels. Default 2.</summary>
    public double NoiseSigma { get; init; } = 2;

    /// <summary>JPEG quality 1-100 of the encoded frame; null encodes PNG (lossless). Default null.</summary>
    public int? JpegQuality { get; init; }

    /// <summary>Regions painted over the hair-bearing background, in order. Default none.</summary>
    public IReadOnlyList<SyntheticRegionSpec> Regions { get; init; } = [];

    internal static IEnumerable<string> ValidateWeights(IReadOnlyList<double> weights, string name)
    {
        if (weights.Count == 0)
        {
            yield return $"{name} needs at least one weight.";
        }

        if (weights.Any(w => !double.IsFinite(w) || w < 0))
        {
            yield return $"{name} must be finite and non-negative.";
        }
        else if (weights.Sum() <= 0)
        {
            yield return $"{name} must not all be zero.";
        }
    }

    /// <summary>Problems with the spec; empty when it can be rendered.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (WidthPixels is < 64 or > 8192 || HeightPixels is < 64 or > 8192)
        {
            errors.Add("WidthPixels and HeightPixels must be between 64 and 8192.");
        }

        if (!double.IsFinite(PixelsPerMillimetre) || PixelsPerMillimetre is < 20 or > 2000)
        {
            errors.Add("PixelsPerMillimetre must be between 20 and 2000.");
        }

        if (SkinLab is null && (!double.IsFinite(SkinItaDegrees) || SkinItaDegrees is < -70 or > 80))
        {
            errors.Add("SkinItaDegrees must be between -70 and 80.");
        }

        if (SkinLab is { } s && (s.L is < 5 or > 95))
        {
            errors.Add("SkinLab L* must be between 5 and 95.");
        }

        if (HairLab is { } h && (h.L is < 0 or > 100))
        {
            errors.Add("HairLab L* must be between 0 and 100.");
        }

        if (!Enum.IsDefined(HairColour))
        {
            errors.Add($"Unknown hair colour {HairColour}.");
        }

        if (!double.IsFinite(FollicularUnitsPerSquareCentimetre) || FollicularUnitsPerSquareCentimetre is < 0 or > 400)
        {
            errors.Add("FollicularUnitsPerSquareCentimetre must be between 0 and 400.");
        }

        errors.AddRange(ValidateWeights(HairsPerUnitWeights, nameof(HairsPerUnitWeights)));
        if (HairsPerUnitWeights.Count > 6)
        {
            errors.Add("HairsPerUnitWeights covers at most 6 hairs per unit.");
        }

        if (TerminalFraction is < 0 or > 1 || VellusFraction is < 0 or > 1 || TerminalFraction + VellusFraction > 1 + 1e-9)
        {
            errors.Add("TerminalFraction and VellusFraction must lie in 0-1 and sum to at most 1.");
        }

        foreach (var (range, name) in new[]
                 {
                     (TerminalWidthMicrometres, nameof(TerminalWidthMicrometres)),
                     (IntermediateWidthMicrometres, nameof(IntermediateWidthMicrometres)),
                     (VellusWidthMicrometres, nameof(VellusWidthMicrometres)),
                 })
        {
            if (!range.IsValid || range.Min < 5 || range.Max > 250)
            {
                errors.Add($"{name} must be an ordered range within 5-250 um.");
            }
        }

        if (!HairLengthMillimetres.IsValid || HairLengthMillimetres.Min < 0.02 || HairLengthMillimetres.Max > 10)
        {
            errors.Add("HairLengthMillimetres must be an ordered range within 0.02-10 mm.");
        }

        if (HairDirectionDegrees is { } d && !double.IsFinite(d))
        {
            errors.Add("HairDirectionDegrees must be finite.");
        }

        if (!double.IsFinite(HairDirectionSpreadDegrees) || HairDirectionSpreadDegrees is < 0 or > 180)
        {
            errors.Add("HairDirectionSpreadDegrees must be between 0 and 180.");
        }

        if (LooseHairFragments is < 0 or > 50)
        {
            errors.Add("LooseHairFragments must be between 0 and 50.");
        }

        if (DyeMarks is < 0 or > 50)
        {
            errors.Add("DyeMarks must be between 0 and 50.");
        }

        if ((Overlays & ~SyntheticOverlays.All) != 0)
        {
            errors.Add("Overlays has unknown flags.");
        }

        if (!double.IsFinite(Glare) || Glare is < 0 or > 1)
        {
            errors.Add("Glare must be between 0 and 1.");
        }

        if (!double.IsFinite(SkinTexture) || SkinTexture is < 0 or > 2)
        {
            errors.Add("SkinTexture must be between 0 and 2.");
        }

        if (!(WhiteBalance.Blue is > 0.3 and < 3) || !(WhiteBalance.Green is > 0.3 and < 3) || !(WhiteBalance.Red is > 0.3 and < 3))
        {
            errors.Add("WhiteBalance gains must be between 0.3 and 3.");
        }

        if (!double.IsFinite(Vignetting) || Vignetting is < 0 or > 1)
        {
            errors.Add("Vignetting must be between 0 and 1.");
        }

        if (!double.IsFinite(BlurSigmaPixels) || BlurSigmaPixels is < 0 or > 50)
        {
            errors.Add("BlurSigmaPixels must be between 0 and 50.");
        }

        if (!double.IsFinite(EdgeDefocusSigmaPixels) || EdgeDefocusSigmaPixels is < 0 or > 50)
        {
            errors.Add("EdgeDefocusSigmaPixels must be between 0 and 50.");
        }

        if (!double.IsFinite(NoiseSigma) || NoiseSigma is < 0 or > 50)
        {
            errors.Add("NoiseSigma must be between 0 and 50.");
        }

        if (JpegQuality is < 1 or > 100)
        {
            errors.Add("JpegQuality must be between 1 and 100, or null for PNG.");
        }

        for (var i = 0; i < Regions.Count; i++)
        {
            errors.AddRange(Regions[i].Validate().Select(e => $"Regions[{i}]: {e}"));
        }

        return errors;
    }
}
