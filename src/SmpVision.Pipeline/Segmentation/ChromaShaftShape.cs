using OpenCvSharp;

namespace SmpVision.Pipeline.Segmentation;

/// <summary>
/// Shape test on the chroma path's shaft mask (session 12, tri19). The chroma path (frames where
/// neither polarity sees much, <see cref="HairSegmentationOptions.ChromaMaxDarkEvidence"/>) reads
/// relative desaturation, which on mottled brown or dark skin also picks up the skin texture as many
/// short, ragged squiggles; each then counts as a hair. Its evidence already counts only straight,
/// long regions (the polarity test); this keeps the mask itself to the same regions, so that what
/// decided the path is also what is measured. Shafts are straight with parallel edges over far more
/// than their width (Chardon 1991, DOMAIN.md: shafts 50-100 um wide), texture is not.
/// </summary>
internal static class ChromaShaftShape
{
    /// <summary>
    /// Clears, in place, every outer region of <paramref name="mask"/> (8UC1, 255 = shaft) whose
    /// minimum-area rectangle is shorter than <paramref name="minLengthPixels"/> or that fills less
    /// than <paramref name="minFill"/> of that rectangle. Returns the number of regions cleared.
    /// </summary>
    internal static int KeepStraightLong(Mat mask, double minLengthPixels, double minFill)
    {
        Cv2.FindContours(mask, out var contours, out _, RetrievalModes.External, ContourApproximationModes.ApproxSimple);
        var rejected = contours.Where(c => !IsStraightLong(c, minLengthPixels, minFill)).ToList();
        if (rejected.Count > 0)
        {
            // Filled and with a thick outline: the contour runs through the region's edge pixels.
            Cv2.DrawContours(mask, rejected, -1, Scalar.All(0), -1);
            Cv2.DrawContours(mask, rejected, -1, Scalar.All(0), 2);
        }

        return rejected.Count;
    }

    /// <summary>
    /// The polarity evidence's shape test, shared with the mask test above: the region's minimum-area
    /// rectangle is at least <paramref name="minLengthPixels"/> long and the region fills at least
    /// <paramref name="minFill"/> of it.
    /// </summary>
    internal static bool IsStraightLong(Point[] contour, double minLengthPixels, double minFill)
    {
        var rect = Cv2.MinAreaRect(contour);
        return Math.Max(rect.Size.Width, rect.Size.Height) >= minLengthPixels
            && Cv2.ContourArea(contour) >= minFill * Math.Max(1, rect.Size.Width * rect.Size.Height);
    }
}
