using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Synthetic.Overhead;

/// <summary>Background behind a synthetic head.</summary>
public enum SceneBackground
{
    /// <summary>One flat colour.</summary>
    Plain = 0,
    /// <summary>Random coloured rectangles and discs, like a room or patterned bedding.</summary>
    Busy = 1,
}

/// <summary>
/// Recipe for a synthetic top-down head photo with exact ground truth. The bald area is an
/// ellipse on the crown (or the whole head, or none), so its share of the scalp is known exactly.
/// </summary>
public sealed record OverheadSceneSpec
{
    /// <summary>Image width in pixels. Default 400.</summary>
    public int WidthPixels { get; init; } = 400;

    /// <summary>Image height in pixels. Default 400.</summary>
    public int HeightPixels { get; init; } = 400;

    /// <summary>Random seed: same spec, same image.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Head semi-minor axis as a fraction of the short image side. Default 0.33.</summary>
    public double HeadRadiusFraction { get; init; } = 0.33;

    /// <summary>Bald ellipse size as a fraction of the head radius: 0 = full head of hair, 1 or more = fully bald. Default 0.6.</summary>
    public double BaldRadiusFraction { get; init; } = 0.6;

    /// <summary>Bare-scalp colour. Default a light skin (ITA ~45, Chardon 1991 light band).</summary>
    public LabColour Skin { get; init; } = new(68, 14, 17);

    /// <summary>Hair colour. Default dark brown.</summary>
    public LabColour Hair { get; init; } = new(22, 3, 5);

    /// <summary>Hair strands per 100 hair-bearing pixels (each strand is a short 1-px line). Default 6.</summary>
    public double StrandsPer100Pixels { get; init; } = 6;

    /// <summary>Background kind. Default <see cref="SceneBackground.Plain"/>.</summary>
    public SceneBackground Background { get; init; } = SceneBackground.Plain;

    /// <summary>Background colour for a plain background. Default a light grey wall.</summary>
    public LabColour BackgroundColour { get; init; } = new(80, 0, 2);

    /// <summary>Draws a specular highlight on the bald crown. Default false.</summary>
    public bool Glare { get; init; }

    /// <summary>Side of a DICT_4X4_50 id 0 marker drawn in the bottom-left corner, in pixels; null draws none.</summary>
    public int? MarkerSidePixels { get; init; }

    /// <summary>Gaussian pixel noise (8-bit units, 1 sigma). Default 3.</summary>
    public double NoiseSigma { get; init; } = 3;
}
