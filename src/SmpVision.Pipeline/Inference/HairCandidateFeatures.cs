using OpenCvSharp;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Measurement.Colour;
using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Inference;

/// <summary>
/// The feature vector the hair verifier scores, one row per detected hair instance. Computed
/// from the <see cref="HairInstance"/> record and a few hundred pixels sampled along and beside
/// its emergence-to-tip segment (no raw pixels leave this class). The same code feeds the offline
/// export (tools: export-candidates) and the runtime, so training and inference see identical
/// features. Sizes are in micrometres through the frame's scale (or the nominal sizing scale), so
/// a model trained at 361 px/mm applies to other magnifications. Colours are CIELAB D65
/// (DOMAIN.md, Colour and skin tone); uncalibrated, so only differences hair-vs-skin carry weight.
/// </summary>
internal static class HairCandidateFeatures
{
    /// <summary>Feature names in column order; the model card (models/README.md) lists the same.</summary>
    public static readonly IReadOnlyList<string> Names =
    [
        "length_um",            // visible shaft length
        "width_um",             // median shaft width
        "width_ratio",          // width over the frame's single-shaft reference width
        "aspect",               // length over width
        "length_ratio",         // length over the frame's median detected length
        "width_cv",             // coefficient of variation of mask cross-section widths along the shaft
        "mask_fill",            // share of the straight emergence-tip segment on hair pixels (straightness)
        "contrast_l",           // skin L* minus shaft L* (darkness against local skin)
        "shaft_l_sd",           // spread of L* along the shaft (fragments, dye blotches are uneven)
        "shaft_chroma",         // shaft C*ab
        "skin_chroma",          // local skin C*ab
        "delta_a",              // shaft a* minus skin a*
        "delta_b",              // shaft b* minus skin b* (blue marker dye: strongly negative)
        "blue_score",           // share of shaft samples bluer than red by a margin (dye, scale bar ink)
        "edge_distance_um",     // smallest distance of emergence, middle, tip to the masked area or frame edge
        "cut_by_edge",          // 1 when the extractor marked the shaft cut by the frame or an overlay
        "counted",              // 1 when the hair counts towards density (edge rule)
        "unit_size",            // hairs in its follicular unit
        "frame_hairs_log",      // log(1 + hairs detected in the frame): crowded frames hold more fragments
        "twins",                // other detections on nearly the same segment (a wide shaft split into side-by-side shafts)
        "twin_of_earlier",      // 1 when one of those twins comes earlier in the list: lets the model keep one of a pair
    ];

    /// <summary>Number of features per hair.</summary>
    public static int Count => Names.Count;

    /// <summary>Cap on the edge distance: farther than ~1 mm from any overlay, position no longer matters.</summary>
    private const double EdgeDistanceCapMicrometres = 1000;

    /// <summary>
    /// Features of every hair, row-major (hairs.Count x <see cref="Count"/>).
    /// </summary>
    /// <param name="bgr">Full-resolution frame, 8UC3.</param>
    /// <param name="hairMask">Full-resolution hair mask, 8UC1, 255 = hair.</param>
    /// <param name="analysable">Full-resolution analysable mask, 8UC1, 255 = scalp that counts.</param>
    /// <param name="hairs">Detected hairs.</param>
    /// <param name="units">Their follicular units.</param>
    /// <param name="pixelsPerMillimetre">Scale used for sizing (the frame's, else the nominal one).</param>
    /// <param name="referenceShaftWidthPixels">The frame's single-shaft width (full-resolution pixels).</param>
    /// <param name="ct">Cancellation.</param>
    public static float[] Compute(
        Mat bgr,
        Mat hairMask,
        Mat analysable,
        IReadOnlyList<HairInstance> hairs,
        IReadOnlyList<FollicularUnit> units,
        double pixelsPerMillimetre,
        double referenceShaftWidthPixels,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(bgr);
        ArgumentNullException.ThrowIfNull(hairMask);
        ArgumentNullException.ThrowIfNull(analysable);
        ArgumentNullException.ThrowIfNull(hairs);
        ArgumentNullException.ThrowIfNull(units);
        int n = Count;
        var rows = new float[hairs.Count * n];
        if (hairs.Count == 0)
        {
            return rows;
        }

        double umPerPixel = 1000.0 / pixelsPerMillimetre;
        var unitSize = new Dictionary<int, int>();
        foreach (var u in units)
        {
            foreach (var id in u.HairIds)
            {
                unitSize[id] = u.HairIds.Count;
            }
        }

        var lengths = hairs.Select(h => h.LengthPixels).OrderBy(x => x).ToList();
        double medianLength = Math.Max(1, lengths[lengths.Count / 2]);

        // Distance to the masked area at quarter resolution: an edge distance needs ~10 um, not 3.
        const int Down = 4;
        using var small = new Mat();
        Cv2.Resize(analysable, small, new Size(Math.Max(1, analysable.Cols / Down), Math.Max(1, analysable.Rows / Down)), 0, 0, InterpolationFlags.Nearest);
        // A zero border row/column makes the frame edge count as masked.
        using var padded = new Mat();
        Cv2.CopyMakeBorder(small, padded, 1, 1, 1, 1, BorderTypes.Constant, Scalar.All(0));
        using var dist = new Mat();
        Cv2.DistanceTransform(padded, dist, DistanceTypes.L2, DistanceTransformMasks.Mask3);

        var pix = new PixelReader(bgr, hairMask);
        for (int i = 0; i < hairs.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var h = hairs[i];
            var f = rows.AsSpan(i * n, n);
            double widthPx = Math.Max(1, h.WidthPixels);
            f[0] = (float)(h.LengthPixels * umPerPixel);
            f[1] = (float)(h.WidthPixels * umPerPixel);
            f[2] = (float)(h.WidthPixels / Math.Max(1, referenceShaftWidthPixels));
            f[3] = (float)(h.LengthPixels / widthPx);
            f[4] = (float)(h.LengthPixels / medianLength);
            AlongShaft(pix, h, widthPx, f);
            double ed = double.MaxValue;
            foreach (var p in new[] { h.Emergence, h.Tip, new PointPixels(0.5 * (h.Emergence.X + h.Tip.X), 0.5 * (h.Emergence.Y + h.Tip.Y)) })
            {
                int sx = Math.Clamp((int)(p.X / Down) + 1, 0, dist.Cols - 1);
                int sy = Math.Clamp((int)(p.Y / Down) + 1, 0, dist.Rows - 1);
                ed = Math.Min(ed, dist.At<float>(sy, sx) * Down * umPerPixel);
            }

            f[14] = (float)Math.Min(EdgeDistanceCapMicrometres, ed);
            f[15] = h.CutByFrameEdge ? 1 : 0;
            f[16] = h.CountedInDensity ? 1 : 0;
            f[17] = unitSize.GetValueOrDefault(h.Id, 1);
            f[18] = (float)Math.Log(1 + hairs.Count);
            int twins = 0;
            bool earlier = false;
            for (int j = 0; j < hairs.Count; j++)
            {
                if (j != i && AreTwins(h, hairs[j]))
                {
                    twins++;
                    earlier |= j < i;
                }
            }

            f[19] = twins;
            f[20] = earlier ? 1 : 0;
        }

        return rows;
    }

    /// <summary>Fills features 5-13 from samples along the segment and beside it on both sides.</summary>
    private static void AlongShaft(PixelReader pix, HairInstance h, double widthPx, Span<float> f)
    {
        double dx = h.Tip.X - h.Emergence.X, dy = h.Tip.Y - h.Emergence.Y;
        double len = Math.Sqrt((dx * dx) + (dy * dy));
        double ux = len > 0 ? dx / len : 1, uy = len > 0 ? dy / len : 0;
        double nx = -uy, ny = ux;
        // One sample every ~2 px, 8 to 64 samples: enough for medians, cheap for ~30 hairs a frame.
        int k = Math.Clamp((int)(len / 2), 8, 64);
        // Skin is read beyond the shaft edge plus a margin for blur and the halo of the shaft.
        double skinOffset = (0.5 * widthPx) + Math.Max(4, widthPx);
        int maxWalk = (int)Math.Ceiling((3 * widthPx) + 10);
        var shaftL = new List<double>(k);
        var shaftA = new List<double>(k);
        var shaftB = new List<double>(k);
        var skinL = new List<double>(2 * k);
        var skinA = new List<double>(2 * k);
        var skinB = new List<double>(2 * k);
        var widths = new List<double>(k);
        int onMask = 0, blue = 0;
        for (int s = 0; s < k; s++)
        {
            double t = (s + 0.5) / k * len;
            double px = h.Emergence.X + (ux * t), py = h.Emergence.Y + (uy * t);
            if (!pix.Inside(px, py))
            {
                continue;
            }

            bool hair = pix.IsHair(px, py);
            if (hair)
            {
                onMask++;
                // Cross-section width of the mask run through this point, perpendicular to the segment.
                int a = 0, b = 0;
                while (a < maxWalk && pix.Inside(px + (nx * (a + 1)), py + (ny * (a + 1))) && pix.IsHair(px + (nx * (a + 1)), py + (ny * (a + 1))))
                {
                    a++;
                }

                while (b < maxWalk && pix.Inside(px - (nx * (b + 1)), py - (ny * (b + 1))) && pix.IsHair(px - (nx * (b + 1)), py - (ny * (b + 1))))
                {
                    b++;
                }

                widths.Add(a + b + 1);
                var (red, green, bl) = pix.Rgb(px, py);
                var lab = CieLab.FromSrgb(red, green, bl);
                shaftL.Add(lab.L);
                shaftA.Add(lab.A);
                shaftB.Add(lab.B);
                if (bl > red + 12)
                {
                    blue++;
                }
            }

            foreach (int side in (ReadOnlySpan<int>)[-1, 1])
            {
                double qx = px + (side * nx * skinOffset), qy = py + (side * ny * skinOffset);
                if (pix.Inside(qx, qy) && !pix.IsHair(qx, qy))
                {
                    var (red, green, bl) = pix.Rgb(qx, qy);
                    var lab = CieLab.FromSrgb(red, green, bl);
                    skinL.Add(lab.L);
                    skinA.Add(lab.A);
                    skinB.Add(lab.B);
                }
            }
        }

        // A segment that never crosses the mask (a strongly curved shaft) still gets colour
        // from the segment itself, so the row is never empty.
        if (shaftL.Count == 0)
        {
            var (red, green, bl) = pix.Rgb(h.Emergence.X + (0.5 * dx), h.Emergence.Y + (0.5 * dy));
            var lab = CieLab.FromSrgb(red, green, bl);
            shaftL.Add(lab.L);
            shaftA.Add(lab.A);
            shaftB.Add(lab.B);
        }

        if (skinL.Count == 0)
        {
            skinL.Add(shaftL[0]);
            skinA.Add(shaftA[0]);
            skinB.Add(shaftB[0]);
        }

        double mw = widths.Count > 0 ? widths.Average() : 0;
        double sw = widths.Count > 1 ? Math.Sqrt(widths.Sum(w => (w - mw) * (w - mw)) / (widths.Count - 1)) : 0;
        double hl = Median(shaftL), ha = Median(shaftA), hb = Median(shaftB);
        double kl = Median(skinL), ka = Median(skinA), kb = Median(skinB);
        double ml = shaftL.Average();
        f[5] = (float)(mw > 0 ? sw / mw : 0);
        f[6] = (float)onMask / k;
        f[7] = (float)(kl - hl);
        f[8] = (float)Math.Sqrt(shaftL.Sum(v => (v - ml) * (v - ml)) / shaftL.Count);
        f[9] = (float)Math.Sqrt((ha * ha) + (hb * hb));
        f[10] = (float)Math.Sqrt((ka * ka) + (kb * kb));
        f[11] = (float)(ha - ka);
        f[12] = (float)(hb - kb);
        f[13] = (float)blue / Math.Max(1, onMask);
    }

    /// <summary>
    /// Two detections on nearly the same segment: both ends (in either pairing) within one and a
    /// half shaft widths plus 4 px (side-by-side shafts of one opening, or one wide shaft split in two).
    /// </summary>
    private static bool AreTwins(HairInstance a, HairInstance b)
    {
        double tol = (1.5 * Math.Max(a.WidthPixels, b.WidthPixels)) + 4;
        double same = Math.Max(Distance(a.Emergence, b.Emergence), Distance(a.Tip, b.Tip));
        double crossed = Math.Max(Distance(a.Emergence, b.Tip), Distance(a.Tip, b.Emergence));
        return Math.Min(same, crossed) <= tol;
    }

    private static double Distance(PointPixels p, PointPixels q) => Math.Sqrt(((p.X - q.X) * (p.X - q.X)) + ((p.Y - q.Y) * (p.Y - q.Y)));

    private static double Median(List<double> v)
    {
        v.Sort();
        return v.Count % 2 == 1 ? v[v.Count / 2] : 0.5 * (v[(v.Count / 2) - 1] + v[v.Count / 2]);
    }

    /// <summary>
    /// Nearest-pixel reads of the frame and the hair mask through raw pointers (Mat.At costs
    /// ~10x more and a frame needs ~100k reads). Valid while both Mats are alive and unchanged.
    /// </summary>
    private readonly unsafe struct PixelReader
    {
        private readonly byte* _bgr;
        private readonly long _bgrStep;
        private readonly byte* _mask;
        private readonly long _maskStep;
        private readonly int _cols;
        private readonly int _rows;

        public PixelReader(Mat bgr, Mat hairMask)
        {
            if (bgr.Type() != MatType.CV_8UC3 || hairMask.Type() != MatType.CV_8UC1 || bgr.Size() != hairMask.Size())
            {
                throw new ArgumentException("Features need an 8UC3 frame and an 8UC1 hair mask of the same size.");
            }

            _bgr = (byte*)bgr.Data.ToPointer();
            _bgrStep = bgr.Step();
            _mask = (byte*)hairMask.Data.ToPointer();
            _maskStep = hairMask.Step();
            _cols = bgr.Cols;
            _rows = bgr.Rows;
        }

        public bool Inside(double x, double y) => x >= 0 && y >= 0 && x < _cols - 0.5 && y < _rows - 0.5;

        public bool IsHair(double x, double y) => _mask[((long)Math.Round(y) * _maskStep) + (long)Math.Round(x)] != 0;

        public (byte R, byte G, byte B) Rgb(double x, double y)
        {
            int xi = Math.Clamp((int)Math.Round(x), 0, _cols - 1), yi = Math.Clamp((int)Math.Round(y), 0, _rows - 1);
            byte* p = _bgr + (yi * _bgrStep) + (3L * xi);
            return (p[2], p[1], p[0]);
        }
    }
}
