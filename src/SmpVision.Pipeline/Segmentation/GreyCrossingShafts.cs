using OpenCvSharp;

namespace SmpVision.Pipeline.Segmentation;

/// <summary>
/// Straight runs inside a region that is not straight as a whole: two grey shafts crossing (or a
/// shaft crossing a unit mate) make one X-shaped neutral region that fills little of its
/// minimum-area rectangle, so the straight-shaft test of <see cref="LightShaftExtent.AddLoneNeutralShafts"/>
/// dropped both (session 12: mixed 1401 at (60-320, 700-900); 2040 has two long crossing shafts
/// missed whole). Opening the region with a line of the counted-length floor in each of 12
/// directions keeps, per direction, the parts that hold a straight run that long; each such part
/// that passes the same straight-shaft test (long enough, filling its rectangle) is a shaft. Ragged
/// skin texture of the neutral mask holds no straight run a counted shaft long.
/// Measures nothing; it shapes the hair mask that counts and widths (DOMAIN.md, shaft width) are read from.
/// </summary>
internal static class GreyCrossingShafts
{
    /// <summary>
    /// ORs into <paramref name="dst"/> (8UC1, same size as <paramref name="region"/>) the straight
    /// runs of the 8UC1 <paramref name="region"/> within <paramref name="roi"/>: per direction, the
    /// components of its opening by a <paramref name="minLengthPixels"/> line whose minimum-area
    /// rectangle is at least that long and filled to at least <paramref name="minFill"/>. Returns the
    /// number of runs added.
    /// </summary>
    public static int AddStraightRuns(Mat region, Rect roi, double minLengthPixels, double minFill, Mat dst)
    {
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(dst);
        int length = ShaftGapClosing.LineLength(minLengthPixels);
        // The ROI needs a margin of half a line so that the opening sees the region's ends.
        var box = Inflate(roi, length / 2 + 1, region.Cols, region.Rows);
        using var sub = new Mat(region, box);
        using var dstSub = new Mat(dst, box);
        int added = 0;
        using var opened = new Mat();
        using var line = new Mat(length, length, MatType.CV_8UC1);
        // The same 12 line directions as the hollow-shaft closings (every 15 degrees).
        for (int i = 0; i < ShaftGapClosing.Orientations; i++)
        {
            ShaftGapClosing.DrawLineKernel(line, i);
            Cv2.MorphologyEx(sub, opened, MorphTypes.Open, line);
            if (Cv2.CountNonZero(opened) == 0)
            {
                continue;
            }

            Cv2.FindContours(opened, out var contours, out _, RetrievalModes.External, ContourApproximationModes.ApproxSimple);
            var keep = contours.Where(c => ChromaShaftShape.IsStraightLong(c, minLengthPixels, minFill)).ToList();
            if (keep.Count > 0)
            {
                Cv2.DrawContours(dstSub, keep, -1, Scalar.All(255), -1);
                added += keep.Count;
            }
        }

        return added;
    }

    private static Rect Inflate(Rect r, int by, int cols, int rows)
    {
        int x0 = Math.Max(0, r.X - by), y0 = Math.Max(0, r.Y - by);
        int x1 = Math.Min(cols, r.X + r.Width + by), y1 = Math.Min(rows, r.Y + r.Height + by);
        return new Rect(x0, y0, x1 - x0, y1 - y0);
    }
}
