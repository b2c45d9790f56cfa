using OpenCvSharp;

namespace SmpVision.Pipeline.Segmentation;

/// <summary>
/// Dark path of <see cref="HairSegmenter"/>: fills the neutral core of hollow-looking grey shafts
/// read dark on light and very light skin (session 13). A grey shaft on skin of nearly its own
/// lightness (mixed seed 1892: skin L* 65, a* 9, b* 2, ITA 84) is darker than the skin only at its
/// shaded rims (relative darkness 0.25-0.36 there); its middle is lighter than the skin in blue and
/// barely darker in red (0.04-0.08 at the centre line), so neither the half-maximum edge, the blue
/// veto nor the darkest-channel test of <see cref="DarkShaftCores"/> keeps it, and the extractor reads
/// the two rims as two narrow shafts (1892: 26 splits, matched widths 0.60 of the truth). What tells
/// the core from the skin is its chroma: grey hair is neutral and skin is not (Chardon 1991,
/// DOMAIN.md: skin colour lies along a* and b*), so the core lies in the neutral mask that the light
/// reads already use (<see cref="LightShaftExtent"/>, session 12), while skin between two shafts does
/// not. A gap is filled when a line closing across the mask spans it (12 directions, at most
/// <see cref="HairSegmentationOptions.GreyCoreMaxGapMicrometres"/>), it lies in the neutral mask, and
/// the filled shaft is no wider than <see cref="HairSegmentationOptions.HollowShaftMaxWidthMicrometres"/>.
/// Runs after the polarity decision on the final dark mask only: no frame's polarity or path moves.
/// Measures nothing; it shapes the hair mask that counts and widths (DOMAIN.md, shaft width) are read from.
/// </summary>
internal static class GreyShaftCores
{
    /// <summary>
    /// The dark path's grey pass, on a frame the caller has gated (dark read, light skin, weak rims):
    /// builds the neutral mask with <paramref name="neutralMask"/> (given an empty Mat for the frame's
    /// chroma image); only when at least <see cref="HairSegmentationOptions.LightShaftNeutralMinFraction"/>
    /// of the dark <paramref name="mask"/> lies in it (grey shafts: 0.68-0.86 on the mixed tuning
    /// frames; blond shafts read dark on light skin are saturated, 0.01-0.29), fills the neutral cores
    /// (<see cref="Fill"/>) and, with <see cref="HairSegmentationOptions.GreyCoreAddLoneNeutral"/>, adds
    /// straight neutral shafts that touch no dark pixel (<see cref="LightShaftExtent.AddLoneNeutralShafts"/>).
    /// Returns whether the frame's dark mask was neutral (the pass ran).
    /// </summary>
    internal static bool Apply(Mat mask, Func<Mat, Mat> neutralMask, double umPerWorkPixel, HairSegmentationOptions o)
    {
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentNullException.ThrowIfNull(neutralMask);
        using var chroma = new Mat();
        using var neutral = neutralMask(chroma);
        if (LightShaftExtent.NeutralFraction(mask, neutral) < o.LightShaftNeutralMinFraction)
        {
            return false;
        }

        Fill(mask, neutral, umPerWorkPixel, o);
        if (o.GreyCoreAddLoneNeutral)
        {
            LightShaftExtent.AddLoneNeutralShafts(mask, neutral, o.ThinShaftMinLengthMicrometres / umPerWorkPixel, o.ThinShaftMinFill, o.LoneNeutralCrossings);
        }

        return true;
    }

    /// <summary>
    /// Fills, in place, the neutral cores of hollow shafts in the dark hair <paramref name="mask"/>
    /// (8UC1, 255 = hair). <paramref name="neutralMask"/> (8UC1, 255) holds the pixels that are
    /// desaturated against the skin around them. Returns the number of pixels filled.
    /// </summary>
    internal static int Fill(Mat mask, Mat neutralMask, double umPerWorkPixel, HairSegmentationOptions o)
    {
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentNullException.ThrowIfNull(neutralMask);
        if (o.GreyCoreMaxGapMicrometres <= 0)
        {
            return 0;
        }

        int len = ShaftGapClosing.LineLength(o.GreyCoreMaxGapMicrometres / umPerWorkPixel);
        using var closedAll = new Mat();
        ShaftGapClosing.CloseAcross(mask, len, closedAll);

        // Candidate fill: gaps spanned by the closing that are neutral. The filled width is read on
        // the mask with these candidates only (skin between two shafts is no candidate, so each
        // shaft's width is read on its own).
        return ShaftGapClosing.FillNarrowGaps(mask, closedAll, neutralMask, len, 0.5 * o.HollowShaftMaxWidthMicrometres / umPerWorkPixel);
    }
}
