using OpenCvSharp;
using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Overhead;

/// <summary>
/// Coarse zones and the hairline from the label map. Scalp pixels are projected on the
/// front-back axis (<see cref="OverheadOptions.Front"/>) and the projected extent is cut into
/// thirds: frontal, mid-scalp, vertex (the protocol's views, Canfield 1996, DOMAIN.md). The
/// hairline is the front-most hair-bearing pixel in each strip across the head, kept where bare
/// scalp lies in front of it.
/// </summary>
internal static class ScalpZones
{
    private const int HairlineStrips = 48;

    /// <summary>Unit vector pointing to the forehead in image coordinates (y down).</summary>
    internal static (double X, double Y) FrontVector(FrontDirection front) => front switch
    {
        FrontDirection.Up => (0, -1),
        FrontDirection.Left => (-1, 0),
        FrontDirection.Right => (1, 0),
        _ => (0, 1),
    };

    internal static IReadOnlyList<OverheadZone> Zones(Mat labels, Mat scalpMask, FrontDirection front, double toFullScale)
    {
        var (fx, fy) = FrontVector(front);
        var (minT, maxT) = ProjectedExtent(scalpMask, fx, fy);
        if (maxT <= minT)
        {
            return [];
        }

        int scalpTotal = Cv2.CountNonZero(scalpMask);
        var zones = new List<OverheadZone>();
        var order = new[] { ScalpZone.Vertex, ScalpZone.MidScalp, ScalpZone.Frontal };
        double third = (maxT - minT) / 3.0;
        using var band = new Mat(scalpMask.Size(), MatType.CV_8UC1);
        for (int z = 0; z < 3; z++)
        {
            double lo = minT + (z * third), hi = z == 2 ? maxT + 1 : minT + ((z + 1) * third);
            band.SetTo(Scalar.All(0));
            var rows = band.AsRows<byte>();
            var sRows = scalpMask.AsRows<byte>();
            var lRows = labels.AsRows<byte>();
            int count = 0, bald = 0, thin = 0;
            int rowCount = band.Rows, colCount = band.Cols;
            for (int y = 0; y < rowCount; y++)
            {
                var br = rows[y];
                var sr = sRows[y];
                var lr = lRows[y];
                for (int x = 0; x < colCount; x++)
                {
                    double t = (x * fx) + (y * fy);
                    if (sr[x] != 0 && t >= lo && t < hi)
                    {
                        br[x] = 255;
                        count++;
                        bald += lr[x] == (byte)RegionClass.Hairless ? 1 : 0;
                        thin += lr[x] == (byte)RegionClass.Thinning ? 1 : 0;
                    }
                }
            }

            var outline = LargestOutline(band, toFullScale);
            if (count == 0 || outline is null)
            {
                continue;
            }

            zones.Add(new OverheadZone(order[z], outline, count / (double)Math.Max(1, scalpTotal), bald / (double)count, thin / (double)count));
        }

        return zones;
    }

    internal static PolygonPixels? Hairline(Mat labels, Mat scalpMask, FrontDirection front, double toFullScale)
    {
        var (fx, fy) = FrontVector(front);
        // Lateral axis: the front vector turned 90 degrees.
        double lx = -fy, ly = fx;
        var (minT, maxT) = ProjectedExtent(scalpMask, fx, fy);
        var (minS, maxS) = ProjectedExtent(scalpMask, lx, ly);
        if (maxT <= minT || maxS <= minS)
        {
            return null;
        }

        // Only the main hair-bearing mass has a hairline; islands (fringe tufts, false hair) do not.
        using var mainHair = new Mat();
        Cv2.Compare(labels, Scalar.All((int)RegionClass.HairBearing), mainHair, CmpTypes.EQ);
        if (Cv2.CountNonZero(mainHair) == 0)
        {
            return null;
        }

        HeadSegmenter.KeepLargestComponent(mainHair);
        var hRows = mainHair.AsRows<byte>();

        var hairFront = new double[HairlineStrips];
        var scalpFront = new double[HairlineStrips];
        var hairPoint = new Point[HairlineStrips];
        Array.Fill(hairFront, double.NegativeInfinity);
        Array.Fill(scalpFront, double.NegativeInfinity);
        var sRows = scalpMask.AsRows<byte>();
        int rowCount = labels.Rows, colCount = labels.Cols;
        for (int y = 0; y < rowCount; y++)
        {
            var sr = sRows[y];
            var hr = hRows[y];
            for (int x = 0; x < colCount; x++)
            {
                if (sr[x] == 0)
                {
                    continue;
                }

                double t = (x * fx) + (y * fy);
                int strip = Math.Clamp((int)(((x * lx) + (y * ly) - minS) / (maxS - minS) * HairlineStrips), 0, HairlineStrips - 1);
                scalpFront[strip] = Math.Max(scalpFront[strip], t);
                if (hr[x] != 0 && t > hairFront[strip])
                {
                    hairFront[strip] = t;
                    hairPoint[strip] = new Point(x, y);
                }
            }
        }

        // Keep strips where bare scalp extends at least 5% of the head length in front of the hair.
        double minGap = 0.05 * (maxT - minT);
        var points = new List<PointPixels>();
        for (int i = 0; i < HairlineStrips; i++)
        {
            if (!double.IsNegativeInfinity(hairFront[i]) && scalpFront[i] - hairFront[i] >= minGap)
            {
                points.Add(new PointPixels(hairPoint[i].X * toFullScale, hairPoint[i].Y * toFullScale));
            }
        }

        return points.Count >= 3 ? new PolygonPixels(points) : null;
    }

    private static (double Min, double Max) ProjectedExtent(Mat mask, double vx, double vy)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        var rows = mask.AsRows<byte>();
        int rowCount = mask.Rows, colCount = mask.Cols;
        for (int y = 0; y < rowCount; y++)
        {
            var r = rows[y];
            for (int x = 0; x < colCount; x++)
            {
                if (r[x] != 0)
                {
                    double t = (x * vx) + (y * vy);
                    min = Math.Min(min, t);
                    max = Math.Max(max, t);
                }
            }
        }

        return (min, max);
    }

    /// <summary>Outline of the largest external contour of a 0/255 mask, simplified, in full-image pixels.</summary>
    internal static PolygonPixels? LargestOutline(Mat mask, double toFullScale)
    {
        Cv2.FindContours(mask, out Point[][] contours, out _, RetrievalModes.External, ContourApproximationModes.ApproxSimple);
        if (contours.Length == 0)
        {
            return null;
        }

        var largest = contours.MaxBy(c => Cv2.ContourArea(c))!;
        var simple = Cv2.ApproxPolyDP(largest, 1.0, true);
        if (simple.Length < 3)
        {
            return null;
        }

        return new PolygonPixels(simple.Select(p => new PointPixels(p.X * toFullScale, p.Y * toFullScale)).ToArray());
    }
}
