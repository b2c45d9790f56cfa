using OpenCvSharp;

namespace SmpVision.Pipeline.Overhead;

/// <summary>
/// Separates the head from the background of an overhead photo. GrabCut learns colour models of
/// head and background from this photo (so dark hair, grey hair, light and dark skin all adapt),
/// seeded by a centred-head prior (the protocol centres the head; Canfield 1996, DOMAIN.md). A
/// shape prior then keeps the largest blob, fills its holes (glare on a bald crown), and trims it
/// to a disc around its largest inscribed circle, which removes skin-coloured shoulders and arms
/// that GrabCut joins to a bald head.
/// </summary>
internal static class HeadSegmenter
{
    /// <summary>Returns an 8UC1 mask (255 = head) the size of <paramref name="workingBgr"/>.</summary>
    internal static Mat Segment(Mat workingBgr, OverheadOptions options, CancellationToken ct)
    {
        double scale = Math.Min(1.0, options.SegmentationLongSidePixels / (double)Math.Max(workingBgr.Cols, workingBgr.Rows));
        var segSize = new Size(Math.Max(8, (int)Math.Round(workingBgr.Cols * scale)), Math.Max(8, (int)Math.Round(workingBgr.Rows * scale)));
        using var small = new Mat();
        Cv2.Resize(workingBgr, small, segSize, 0, 0, InterpolationFlags.Area);

        // GrabCut initialises its colour models from the calling thread's OpenCV RNG: seed it so
        // the same photo always gives the same head mask, whatever ran before on this thread.
        Cv2.SetTheRNG(options.GrabCutRandomSeed);
        using var gc = new Mat(segSize, MatType.CV_8UC1, Scalar.All((int)GrabCutClasses.PR_BGD));
        var centre = new Point(segSize.Width / 2, segSize.Height / 2);
        Cv2.Ellipse(gc, centre, new Size(segSize.Width * options.HeadProbableFraction / 2, segSize.Height * options.HeadProbableFraction / 2), 0, 0, 360, Scalar.All((int)GrabCutClasses.PR_FGD), -1);
        Cv2.Ellipse(gc, centre, new Size(segSize.Width * options.HeadCoreFraction / 2, segSize.Height * options.HeadCoreFraction / 2), 0, 0, 360, Scalar.All((int)GrabCutClasses.FGD), -1);
        // A round head cannot fill the corners of a rectangular frame: corner triangles are certainly background.
        int leg = (int)Math.Round(Math.Min(segSize.Width, segSize.Height) * options.CornerBackgroundFraction);
        if (leg > 1)
        {
            int w = segSize.Width - 1, h = segSize.Height - 1;
            foreach (var tri in new[]
                     {
                         new[] { new Point(0, 0), new Point(leg, 0), new Point(0, leg) },
                         new[] { new Point(w, 0), new Point(w - leg, 0), new Point(w, leg) },
                         new[] { new Point(0, h), new Point(leg, h), new Point(0, h - leg) },
                         new[] { new Point(w, h), new Point(w - leg, h), new Point(w, h - leg) },
                     })
            {
                Cv2.FillConvexPoly(gc, tri, Scalar.All((int)GrabCutClasses.BGD));
            }
        }

        using (var bgdModel = new Mat())
        using (var fgdModel = new Mat())
        {
            Cv2.GrabCut(small, gc, new Rect(0, 0, segSize.Width, segSize.Height), bgdModel, fgdModel, options.GrabCutIterations, GrabCutModes.InitWithMask);
        }

        ct.ThrowIfCancellationRequested();

        // FGD = 1, PR_FGD = 3: the low bit marks foreground.
        using var fg = new Mat();
        Cv2.BitwiseAnd(gc, Scalar.All(1), fg);
        Cv2.Multiply(fg, Scalar.All(255), fg);

        int minSide = Math.Min(segSize.Width, segSize.Height);
        using (var k = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(OddAtLeast3(minSide * 0.03), OddAtLeast3(minSide * 0.03))))
        {
            Cv2.MorphologyEx(fg, fg, MorphTypes.Open, k);
        }

        KeepLargestComponent(fg);
        FillHoles(fg);
        ApplyDiscPrior(fg, options.HeadRadiusFactor);
        KeepLargestComponent(fg);
        FillHoles(fg);
        using (var k = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(OddAtLeast3(minSide * 0.04), OddAtLeast3(minSide * 0.04))))
        {
            Cv2.MorphologyEx(fg, fg, MorphTypes.Close, k);
        }

        var mask = new Mat();
        Cv2.Resize(fg, mask, workingBgr.Size(), 0, 0, InterpolationFlags.Linear);
        Cv2.Threshold(mask, mask, 127, 255, ThresholdTypes.Binary);
        return mask;
    }

    private static int OddAtLeast3(double size) => Math.Max(3, ((int)Math.Round(size) / 2 * 2) + 1);

    /// <summary>Keeps only the largest 8-connected component of a 0/255 mask (in place).</summary>
    internal static void KeepLargestComponent(Mat mask)
    {
        using var labels = new Mat();
        using var stats = new Mat();
        using var centroids = new Mat();
        int n = Cv2.ConnectedComponentsWithStats(mask, labels, stats, centroids, PixelConnectivity.Connectivity8, MatType.CV_32S);
        if (n <= 2)
        {
            return;
        }

        int best = 1, bestArea = -1;
        for (int i = 1; i < n; i++)
        {
            int area = stats.At<int>(i, (int)ConnectedComponentsTypes.Area);
            if (area > bestArea)
            {
                bestArea = area;
                best = i;
            }
        }

        Cv2.Compare(labels, Scalar.All(best), mask, CmpTypes.EQ);
    }

    /// <summary>Fills holes of a 0/255 mask (in place): background not reachable from the frame border becomes foreground.</summary>
    internal static void FillHoles(Mat mask)
    {
        using var padded = new Mat();
        Cv2.CopyMakeBorder(mask, padded, 1, 1, 1, 1, BorderTypes.Constant, Scalar.All(0));
        Cv2.FloodFill(padded, new Point(0, 0), Scalar.All(128));
        using var roi = new Mat(padded, new Rect(1, 1, mask.Cols, mask.Rows));
        using var holes = new Mat();
        Cv2.Compare(roi, Scalar.All(0), holes, CmpTypes.EQ);
        mask.SetTo(Scalar.All(255), holes);
    }

    /// <summary>Cuts the mask to a disc of <paramref name="factor"/> times its largest inscribed radius, centred on that circle.</summary>
    private static void ApplyDiscPrior(Mat mask, double factor)
    {
        if (Cv2.CountNonZero(mask) == 0)
        {
            return;
        }

        using var dist = new Mat();
        Cv2.DistanceTransform(mask, dist, DistanceTypes.L2, DistanceTransformMasks.Precise, (int)MatType.CV_32F);
        Cv2.MinMaxLoc(dist, out _, out double maxRadius, out _, out Point maxAt);
        using var disc = new Mat(mask.Size(), MatType.CV_8UC1, Scalar.All(0));
        Cv2.Circle(disc, maxAt, (int)Math.Ceiling(maxRadius * factor), Scalar.All(255), -1);
        Cv2.BitwiseAnd(mask, disc, mask);
    }
}
