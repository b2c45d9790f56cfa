using OpenCvSharp;

namespace SmpVision.Pipeline.Segmentation;

/// <summary>
/// Dark path of <see cref="HairSegmenter"/>: fills the light core of hollow-looking brown shafts.
/// A brown shaft on brown or dark skin (ITA under ~10 deg, Chardon 1991, DOMAIN.md) has nearly the
/// skin's lightness: the shaded cylinder is darker than the skin only towards its edges, and its
/// middle, where the specular stripe lies, reads as light as the skin in the channel mean (mixed seed
/// 1718, brown on ITA -29: skin RGB ~(128, 89, 72), rims (80, 61, 41), core (112, 94, 82), mean
/// darkness 0.37 at the rims and ~0.04 in the core). The half-maximum edge and the flake gate then
/// keep the rims only, which the extractor reads as two shafts, and it measures the frame's
/// single-shaft width on those rims (1718: 44 um read for 83). What still tells the core from skin is
/// its darkest channel: a brown shaft is less red than red-brown skin, so its core stays darker than
/// the flake-free skin level in red (1718: 0.12-0.27) where skin between two shafts is not (its
/// mottling, a few percent). So a gap is filled when it lies between hair pixels along one of 12
/// directions within <see cref="HairSegmentationOptions.DarkCoreMaxGapMicrometres"/>, its darkest
/// channel is darker than the flake-free skin by <see cref="HairSegmentationOptions.DarkCoreMinDarkness"/>,
/// and the filled shaft is no wider than <see cref="HairSegmentationOptions.HollowShaftMaxWidthMicrometres"/>.
/// Runs after the polarity decision, on the final dark mask only, so no frame's polarity or path moves.
/// </summary>
internal static class DarkShaftCores
{

    /// <summary>
    /// Fills, in place, the light cores of hollow shafts in the dark hair <paramref name="mask"/>
    /// (8UC1, 255 = hair). <paramref name="coreDarkness"/> (8UC1, 0-255) is each pixel's darkest
    /// channel's darkness against the flake-free skin level (see
    /// <see cref="DarkShaftSpecks.AccumulateSpeckFreeDarkness"/>). A no-op when
    /// <see cref="HairSegmentationOptions.DarkCoreMaxGapMicrometres"/> is 0. The caller applies it only
    /// where the shafts' rims are weak and the skin is tan to dark (see
    /// <see cref="HairSegmentationOptions.DarkCoreMaxSkinItaDegrees"/>). Returns the number of pixels filled.
    /// </summary>
    internal static int Fill(Mat mask, Mat coreDarkness, double umPerWorkPixel, HairSegmentationOptions o)
    {
        if (o.DarkCoreMaxGapMicrometres <= 0)
        {
            return 0;
        }

        int len = ShaftGapClosing.LineLength(o.DarkCoreMaxGapMicrometres / umPerWorkPixel);
        using var closedAll = new Mat();
        ShaftGapClosing.CloseAcross(mask, len, closedAll);

        // Candidate fill: gaps spanned by the closing whose darkest channel is dark enough. The
        // filled width is read on the mask with these candidates only (skin between two hollow
        // shafts side by side is not a candidate, so each shaft's width is read on its own): the
        // local maximum of its distance to the background within one gap of each pixel (the
        // shaft's centre line lies that close to its core).
        byte minCore = (byte)Math.Round(255 * o.DarkCoreMinDarkness);
        using var coreDark = new Mat();
        Cv2.Threshold(coreDarkness, coreDark, minCore - 1, 255, ThresholdTypes.Binary);
        return ShaftGapClosing.FillNarrowGaps(mask, closedAll, coreDark, len, 0.5 * o.HollowShaftMaxWidthMicrometres / umPerWorkPixel);
    }
}
