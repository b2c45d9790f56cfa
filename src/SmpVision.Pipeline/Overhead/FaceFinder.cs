using OpenCvSharp;
using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Overhead;

/// <summary>What <see cref="FaceFinder"/> found; owns its mask until <see cref="TakeMask"/>.</summary>
internal sealed class FaceFinding
{
    private Mat? _mask;

    internal FaceFinding(Mat? mask) => _mask = mask;

    /// <summary>Detected view, or null when the cues do not say.</summary>
    internal OverheadView? View { get; init; }

    /// <summary>Detected face direction, or null when unsure or not looked for.</summary>
    internal FrontDirection? Front { get; init; }

    /// <summary>Confidence of the direction, 0-1.</summary>
    internal double Confidence { get; init; }

    internal double FaceFractionOfFrame { get; init; }

    /// <summary>Which cues marked the face, in words.</summary>
    internal string Evidence { get; init; } = "";

    internal Mat? TakeMask()
    {
        var m = _mask;
        _mask = null;
        return m;
    }
}

/// <summary>
/// Finds the face side of an overhead photo and the face pixels to keep out of the scalp, from
/// head-shape and hair-pattern priors (no published model sees a face from above):
/// <list type="bullet">
/// <item>Direction: hair at the head's rim. The back and sides keep a fringe of hair at every
/// Norwood level (Norwood 1975: the horseshoe opens toward the face), the face side shows
/// forehead skin; the side with the least rim hair and the most skin running on to the frame
/// edge is the face side. The margin to the second side is the confidence.</item>
/// <item>Face pixels: on the face side, head pixels outside the skull ellipse (fitted to the back
/// and side outline: brows, nose and ears stick out of it), hair-like islands in front of the
/// main hair (eyebrows), and the forehead band in front of the frontmost scalp hair when the
/// face reaches past the skull outline.</item>
/// </list>
/// </summary>
internal static class FaceFinder
{
    /// <summary>Rim: head pixels beyond this share of the equivalent radius from the centroid.</summary>
    private const double RimFraction = 0.75;

    /// <summary>Face reach: head/skin beyond the skull ellipse on the face side, share of the head area, above which the face is in view.</summary>
    private const double FaceInViewFraction = 0.015;

    internal static FaceFinding Find(Mat workingBgr, Mat headMask, Mat labels, OverheadOptions options, FrontDirection? givenFront, CancellationToken ct)
    {
        int headArea = Cv2.CountNonZero(headMask);
        if (headArea < 100)
        {
            return new FaceFinding(null);
        }

        var moments = Cv2.Moments(headMask, true);
        var centre = new Point2d(moments.M10 / moments.M00, moments.M01 / moments.M00);
        double radius = Math.Sqrt(headArea / Math.PI);
        var scores = new Dictionary<FrontDirection, double>();
        foreach (var d in new[] { FrontDirection.Down, FrontDirection.Up, FrontDirection.Left, FrontDirection.Right })
        {
            scores[d] = FaceSideScore(headMask, labels, centre, radius, d);
        }

        ct.ThrowIfCancellationRequested();
        var ranked = scores.OrderByDescending(kv => kv.Value).ToList();
        double margin = ranked[0].Value - ranked[1].Value;
        // 0.25 of rim-hair share between the best and the next side reads as sure (project scale).
        double confidence = Math.Clamp(margin / 0.25, 0, 1);
        FrontDirection? detected = confidence >= 0.2 ? ranked[0].Key : null;
        var front = givenFront ?? detected;
        if (front is null)
        {
            return new FaceFinding(null) { Confidence = confidence, View = OverheadView.TopDown };
        }

        var mask = FaceMask(workingBgr, headMask, labels, centre, radius, front.Value, out string evidence);
        int facePixels = mask is null ? 0 : Cv2.CountNonZero(mask);
        return new FaceFinding(mask)
        {
            View = OverheadView.TopDown,
            Front = detected,
            Confidence = confidence,
            FaceFractionOfFrame = facePixels / (double)(headMask.Rows * headMask.Cols),
            Evidence = evidence,
        };
    }

    /// <summary>
    /// How much a side looks like the face side: bare (not hair-bearing) share of the head rim in
    /// that direction (thinning counts half).
    /// </summary>
    private static double FaceSideScore(Mat headMask, Mat labels, Point2d centre, double radius, FrontDirection d)
    {
        var (fx, fy) = ScalpZones.FrontVector(d);
        int rim = 0;
        double bare = 0;
        var hRows = headMask.AsRows<byte>();
        var lRows = labels.AsRows<byte>();
        int rowCount = headMask.Rows, colCount = headMask.Cols;
        for (int y = 0; y < rowCount; y++)
        {
            var hr = hRows[y];
            var lr = lRows[y];
            for (int x = 0; x < colCount; x++)
            {
                if (hr[x] == 0)
                {
                    continue;
                }

                double dx = x - centre.X, dy = y - centre.Y;
                double along = (dx * fx) + (dy * fy);
                double across = Math.Abs((dx * -fy) + (dy * fx));
                // The cap of the rim facing this side: a 90-degree wedge beyond the rim radius.
                if (along < RimFraction * radius || across > along)
                {
                    continue;
                }

                rim++;
                bare += (RegionClass)lr[x] switch
                {
                    RegionClass.HairBearing => 0,
                    RegionClass.Thinning => 0.5,
                    _ => 1,
                };
            }
        }

        return rim == 0 ? 0 : bare / rim;
    }

    /// <summary>
    /// Face pixels on the face side (working size, 255 = face), or null when no face shows:
    /// outside the skull ellipse, eyebrow islands, and the forehead band in front of the hair.
    /// </summary>
    private static Mat? FaceMask(Mat workingBgr, Mat headMask, Mat labels, Point2d centre, double radius, FrontDirection front, out string evidence)
    {
        evidence = "";
        var (fx, fy) = ScalpZones.FrontVector(front);
        using var skull = SkullEllipse(headMask, centre, radius, fx, fy);
        if (skull is null)
        {
            return null;
        }

        var face = new Mat(headMask.Size(), MatType.CV_8UC1, Scalar.All(0));
        using (var outside = new Mat())
        {
            Cv2.BitwiseNot(skull, outside);
            Cv2.BitwiseAnd(headMask, outside, face);
        }

        KeepFrontHalf(face, centre, fx, fy, 0.3 * radius);
        int headArea = Cv2.CountNonZero(headMask);
        int beyond = Cv2.CountNonZero(face);
        var cues = new List<string>();
        if (beyond >= FaceInViewFraction * headArea && LooksLikeScalpSkin(workingBgr, face, labels, skull))
        {
            cues.Add("skin past the skull outline");
            AddForehead(face, headMask, labels, centre, radius, fx, fy);
            cues.Add("forehead in front of the hair");
        }

        if (AddEyebrowIslands(face, labels, centre, radius, fx, fy))
        {
            cues.Add("eyebrow-like hair islands");
        }

        if (cues.Count == 0 || Cv2.CountNonZero(face) == 0)
        {
            face.Dispose();
            return null;
        }

        evidence = string.Join(", ", cues);
        return face;
    }

    /// <summary>
    /// Whether what sticks out of the skull ellipse has the colour of this head's bare skin (a
    /// face does; a background leak of the head mask mostly does not): CIEDE76 of the medians
    /// below <see cref="MaxFaceSkinDeltaE"/>.
    /// </summary>
    private static bool LooksLikeScalpSkin(Mat workingBgr, Mat beyond, Mat labels, Mat skull)
    {
        using var bare = new Mat();
        Cv2.Compare(labels, Scalar.All((int)RegionClass.Hairless), bare, CmpTypes.EQ);
        Cv2.BitwiseAnd(bare, skull, bare);
        var skin = MedianLab(workingBgr, bare);
        var outside = MedianLab(workingBgr, beyond);
        if (skin is null || outside is null)
        {
            return false;
        }

        double dl = skin.Value.L - outside.Value.L, da = skin.Value.A - outside.Value.A, db = skin.Value.B - outside.Value.B;
        return Math.Sqrt((dl * dl) + (da * da) + (db * db)) < MaxFaceSkinDeltaE;
    }

    /// <summary>Largest CIELAB distance between face and bare-scalp skin medians (shading on the forehead included; project value).</summary>
    private const double MaxFaceSkinDeltaE = 18;

    private static LabColour? MedianLab(Mat workingBgr, Mat mask)
    {
        if (Cv2.CountNonZero(mask) < 20)
        {
            return null;
        }

        using var bgrF = new Mat();
        using var lab = new Mat();
        workingBgr.ConvertTo(bgrF, MatType.CV_32FC3, 1.0 / 255.0);
        Cv2.CvtColor(bgrF, lab, ColorConversionCodes.BGR2Lab);
        var values = new List<Vec3f>();
        var lRows = lab.AsRows<Vec3f>();
        var mRows = mask.AsRows<byte>();
        int rowCount = mask.Rows, colCount = mask.Cols;
        for (int y = 0; y < rowCount; y++)
        {
            for (int x = 0; x < colCount; x++)
            {
                if (mRows[y][x] != 0)
                {
                    values.Add(lRows[y][x]);
                }
            }
        }

        static double Median(IEnumerable<float> v)
        {
            var a = v.Order().ToArray();
            return a[a.Length / 2];
        }

        return new LabColour(Median(values.Select(v => v.Item0)), Median(values.Select(v => v.Item1)), Median(values.Select(v => v.Item2)));
    }

    /// <summary>Zeroes mask pixels less than <paramref name="minAlong"/> toward the face from the centre.</summary>
    private static void KeepFrontHalf(Mat mask, Point2d centre, double fx, double fy, double minAlong)
    {
        var rows = mask.AsRows<byte>();
        int rowCount = mask.Rows, colCount = mask.Cols;
        for (int y = 0; y < rowCount; y++)
        {
            var r = rows[y];
            for (int x = 0; x < colCount; x++)
            {
                if (r[x] != 0 && (((x - centre.X) * fx) + ((y - centre.Y) * fy)) < minAlong)
                {
                    r[x] = 0;
                }
            }
        }
    }

    /// <summary>
    /// Ellipse fitted to the head outline away from the face (the skull's back and sides), as a
    /// filled 0/255 mask; null when too little outline is left to fit.
    /// </summary>
    private static Mat? SkullEllipse(Mat headMask, Point2d centre, double radius, double fx, double fy)
    {
        Cv2.FindContours(headMask, out Point[][] contours, out _, RetrievalModes.External, ContourApproximationModes.ApproxNone);
        if (contours.Length == 0)
        {
            return null;
        }

        var outline = contours.MaxBy(c => c.Length)!;
        int w = headMask.Cols - 1, h = headMask.Rows - 1;
        // Outline toward the face and along the frame border is not skull.
        var back = outline.Where(p => (((p.X - centre.X) * fx) + ((p.Y - centre.Y) * fy)) < 0.2 * radius
                                      && p.X > 1 && p.Y > 1 && p.X < w - 1 && p.Y < h - 1).ToArray();
        if (back.Length < 20)
        {
            return null;
        }

        var ellipse = Cv2.FitEllipse(back);
        if (!(ellipse.Size.Width > 4 && ellipse.Size.Height > 4) || Math.Max(ellipse.Size.Width, ellipse.Size.Height) > 4 * radius)
        {
            return null;
        }

        var mask = new Mat(headMask.Size(), MatType.CV_8UC1, Scalar.All(0));
        Cv2.Ellipse(mask, ellipse, Scalar.All(255), -1);
        return mask;
    }

    /// <summary>
    /// Adds the forehead: bare head pixels in front of the front-most main-hair pixel of their
    /// strip across the head. Bare scalp behind a receded hairline stays scalp only when hair
    /// lies in front of it; on the face side in front of all hair it is the forehead.
    /// </summary>
    private static void AddForehead(Mat face, Mat headMask, Mat labels, Point2d centre, double radius, double fx, double fy)
    {
        using var hair = new Mat();
        Cv2.Compare(labels, Scalar.All((int)RegionClass.HairBearing), hair, CmpTypes.EQ);
        if (Cv2.CountNonZero(hair) == 0)
        {
            return;
        }

        HeadSegmenter.KeepLargestComponent(hair);
        // Front-most hair per lateral strip (strips of 4% of the head width).
        int strips = 25;
        var hairFront = new double[strips];
        Array.Fill(hairFront, double.NegativeInfinity);
        var hr = hair.AsRows<byte>();
        double lx = -fy, ly = fx;
        int StripOf(int x, int y) => Math.Clamp((int)((((((x - centre.X) * lx) + ((y - centre.Y) * ly)) / radius) + 1.25) / 2.5 * strips), 0, strips - 1);
        int rowCount = hair.Rows, colCount = hair.Cols;
        for (int y = 0; y < rowCount; y++)
        {
            for (int x = 0; x < colCount; x++)
            {
                if (hr[y][x] != 0)
                {
                    int s = StripOf(x, y);
                    hairFront[s] = Math.Max(hairFront[s], ((x - centre.X) * fx) + ((y - centre.Y) * fy));
                }
            }
        }

        // Strips without hair (wide recession) take the nearest strip's front, so only what lies in front of the hairline is face.
        double maxFront = hairFront.Where(v => !double.IsNegativeInfinity(v)).DefaultIfEmpty(double.NegativeInfinity).Max();
        var fr = face.AsRows<byte>();
        var headRows = headMask.AsRows<byte>();
        for (int y = 0; y < rowCount; y++)
        {
            for (int x = 0; x < colCount; x++)
            {
                if (headRows[y][x] == 0)
                {
                    continue;
                }

                double along = ((x - centre.X) * fx) + ((y - centre.Y) * fy);
                double limit = hairFront[StripOf(x, y)];
                if (double.IsNegativeInfinity(limit))
                {
                    limit = maxFront;
                }

                if (along > limit && along > 0.3 * radius)
                {
                    fr[y][x] = 255;
                }
            }
        }
    }

    /// <summary>Hair-bearing islands in the front third, apart from the main hair: eyebrows. Returns whether any was found.</summary>
    private static bool AddEyebrowIslands(Mat face, Mat labels, Point2d centre, double radius, double fx, double fy)
    {
        using var hair = new Mat();
        Cv2.Compare(labels, Scalar.All((int)RegionClass.HairBearing), hair, CmpTypes.EQ);
        using var ids = new Mat();
        using var stats = new Mat();
        using var centroids = new Mat();
        int n = Cv2.ConnectedComponentsWithStats(hair, ids, stats, centroids, PixelConnectivity.Connectivity8, MatType.CV_32S);
        if (n <= 2)
        {
            return false;
        }

        int main = Enumerable.Range(1, n - 1).MaxBy(i => stats.At<int>(i, (int)ConnectedComponentsTypes.Area));
        bool any = false;
        for (int i = 1; i < n; i++)
        {
            if (i == main)
            {
                continue;
            }

            double along = ((centroids.At<double>(i, 0) - centre.X) * fx) + ((centroids.At<double>(i, 1) - centre.Y) * fy);
            int area = stats.At<int>(i, (int)ConnectedComponentsTypes.Area);
            if (along > 0.6 * radius && area < 0.05 * Math.PI * radius * radius)
            {
                using var island = new Mat();
                Cv2.Compare(ids, Scalar.All(i), island, CmpTypes.EQ);
                face.SetTo(Scalar.All(255), island);
                any = true;
            }
        }

        return any;
    }
}
