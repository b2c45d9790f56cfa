namespace SmpVision.Pipeline.Segmentation;

/// <summary>
/// Options of <see cref="FieldMasker"/>: what counts as a burned-in overlay or off-field pixel.
/// Defaults come from the overlays of the dev frames described in shared/data/README.md
/// (info bar, grey band, "1.0 mm" scale bar, red circle) and are generic for capture software
/// that draws flat achromatic boxes and thin lines.
/// </summary>
public sealed record FieldMaskOptions
{
    /// <summary>Largest channel spread (max-min of B,G,R) of an achromatic overlay pixel (drawn grey plus JPEG chroma noise). Default 8.</summary>
    public int AchromaticMaxSpread { get; init; } = 8;

    /// <summary>
    /// Largest channel spread of a text box's grey. Wider than <see cref="AchromaticMaxSpread"/>
    /// because capture software shades boxes semi-transparently: the scalp's chroma shows through
    /// (an 85% box over skin with a spread of 100 keeps 15), plus sensor noise and JPEG chroma
    /// noise. The glyph test still requires white text on it. Default 14: generated boxes shaded
    /// over skin read ~8-9 plus JPEG noise and are all found from 14 up (mixed 801-830 overlay work
    /// gives the same counts at 14 and 20); at 20 the real dev set (shared/data) also loses the
    /// skin around its "1.0 mm" labels, moving 45 frames by 1-2 hairs (median abs 14.3% -> 15.4%,
    /// noise-level per frame: 21 closer to the hand count, 22 farther), at 14 it stays at 14.3%.
    /// </summary>
    public int BoxMaxSpread { get; init; } = 14;

    /// <summary>Darkest grey level of a burned-in text box (max channel). Default 50.</summary>
    public int BoxGreyMin { get; init; } = 50;

    /// <summary>Lightest grey level of a burned-in text box (max channel). Default 120.</summary>
    public int BoxGreyMax { get; init; } = 120;

    /// <summary>Margin added around a line of glyphs to cover the rest of its box, in pixels. Default 8.</summary>
    public int BoxMarginPixels { get; init; } = 8;

    /// <summary>Smallest height of a text box, in pixels. Default 10.</summary>
    public int BoxMinHeightPixels { get; init; } = 10;

    /// <summary>Largest height of a text box, in pixels. Default 80.</summary>
    public int BoxMaxHeightPixels { get; init; } = 80;

    /// <summary>
    /// Glyph pixel: max channel at least this (white text). Anti-aliased strokes a few pixels wide,
    /// softened by the optics and JPEG, peak well below the drawn white (text drawn at 235 peaks at
    /// 200-230 on noisy generated frames), so the threshold sits well below it; the box-grey and
    /// text-fraction tests keep glare off. Default 190.
    /// </summary>
    public int TextMinValue { get; init; } = 190;

    /// <summary>Share of a text box's rectangle covered by glyph pixels, at least. Default 0.015.</summary>
    public double BoxMinTextFraction { get; init; } = 0.015;

    /// <summary>Share of a text box's rectangle that is box grey, at least. Default 0.2.</summary>
    public double BoxMinGreyFraction { get; init; } = 0.2;

    /// <summary>Largest grey-level standard deviation along a drawn band row. Default 3.</summary>
    public double BandMaxStdDev { get; init; } = 3;

    /// <summary>Pixels added around every overlay so that anti-aliased edges are masked too. Default 4.</summary>
    public int OverlayPaddingPixels { get; init; } = 4;

    /// <summary>Thin-line darkness: an overlay line pixel is at most this bright (max channel). Default 110.</summary>
    public int ThinLineMaxValue { get; init; } = 110;

    /// <summary>
    /// Thin-line contrast: an overlay line pixel is at least this much darker (max channel) than
    /// the closing of the frame just wider than the line, i.e. than the skin on either side.
    /// Default 30 (a drawn line at ~45 on skin at 100-200).
    /// </summary>
    public int ThinLineMinContrast { get; init; } = 30;

    /// <summary>A drawn line is at most this thick, in pixels. Default 4.</summary>
    public int ThinLineMaxThicknessPixels { get; init; } = 4;

    /// <summary>A drawn straight line (scale bar arm) is at least this long, in pixels. Default 80.</summary>
    public int ThinLineMinLengthPixels { get; init; } = 80;

    /// <summary>Red drawn-circle pixel: red minus the larger of green and blue at least this. Default 90.</summary>
    public int RedOverlayMinExcess { get; init; } = 90;

    /// <summary>
    /// Dark dermoscope rim: pixels with max channel at most this, joined to the frame border and
    /// wider than any hair. Default 35.
    /// </summary>
    public int RimMaxValue { get; init; } = 35;

    /// <summary>Opening diameter (pixels) that a rim region survives and a hair shaft does not. Default 61.</summary>
    public int RimMinWidthPixels { get; init; } = 61;

    /// <summary>Returns the problems with these options; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (AchromaticMaxSpread is < 0 or > 255) errors.Add("AchromaticMaxSpread must be 0-255.");
        if (BoxMaxSpread is < 0 or > 255) errors.Add("BoxMaxSpread must be 0-255.");
        if (BoxGreyMin is < 0 or > 255 || BoxGreyMax is < 0 or > 255 || BoxGreyMax < BoxGreyMin) errors.Add("BoxGreyMin/BoxGreyMax must be 0-255, min <= max.");
        if (BoxMarginPixels < 0) errors.Add("BoxMarginPixels must be >= 0.");
        if (BoxMinHeightPixels < 1 || BoxMaxHeightPixels < BoxMinHeightPixels) errors.Add("BoxMinHeightPixels must be >= 1 and <= BoxMaxHeightPixels.");
        if (TextMinValue is < 0 or > 255) errors.Add("TextMinValue must be 0-255.");
        if (BoxMinTextFraction is < 0 or > 1) errors.Add("BoxMinTextFraction must be in [0, 1].");
        if (BoxMinGreyFraction is < 0 or > 1) errors.Add("BoxMinGreyFraction must be in [0, 1].");
        if (BandMaxStdDev < 0) errors.Add("BandMaxStdDev must be >= 0.");
        if (OverlayPaddingPixels < 0) errors.Add("OverlayPaddingPixels must be >= 0.");
        if (ThinLineMaxValue is < 0 or > 255) errors.Add("ThinLineMaxValue must be 0-255.");
        if (ThinLineMinContrast is < 1 or > 255) errors.Add("ThinLineMinContrast must be 1-255.");
        if (ThinLineMaxThicknessPixels < 1) errors.Add("ThinLineMaxThicknessPixels must be >= 1.");
        if (ThinLineMinLengthPixels < 10) errors.Add("ThinLineMinLengthPixels must be >= 10.");
        if (RedOverlayMinExcess is < 1 or > 255) errors.Add("RedOverlayMinExcess must be 1-255.");
        if (RimMaxValue is < 0 or > 255) errors.Add("RimMaxValue must be 0-255.");
        if (RimMinWidthPixels < 3) errors.Add("RimMinWidthPixels must be >= 3.");
        return errors;
    }
}
