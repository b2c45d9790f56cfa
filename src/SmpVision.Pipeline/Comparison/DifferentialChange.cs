using OpenCvSharp;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Comparison;

/// <summary>A shaft-shaped region that darkened (gained) or lightened (lost) between the visits.</summary>
/// <param name="Gained">True: darker after (a new shaft); false: darker before (a lost shaft).</param>
/// <param name="End1">One end of the region's long axis, before-photo pixels.</param>
/// <param name="End2">The other end.</param>
/// <param name="LengthPixels">Long-axis length.</param>
/// <param name="MeanWidthPixels">Area / length.</param>
/// <param name="MeanContrastSigmas">Mean |difference| over the region, in noise standard deviations.</param>
/// <param name="ShaftCount">Shafts side by side in the region (separate runs across its axis over most of its length).</param>
/// <param name="ExplainedCount">Unpaired detected hairs of the visit that has the shafts running along the region (the detector already counted them), at most <paramref name="ShaftCount"/>.</param>
internal sealed record ChangedShaft(bool Gained, PointPixels End1, PointPixels End2, double LengthPixels, double MeanWidthPixels, double MeanContrastSigmas, int ShaftCount, int ExplainedCount)
{
    /// <summary>Shafts no detection explains: the hairs the differential evidence adds.</summary>
    public int UnexplainedCount => ShaftCount - ExplainedCount;
}

/// <summary>The differential evidence of one compared pair.</summary>
/// <param name="Shafts">Every shaft-shaped changed region.</param>
/// <param name="NoiseSigmaLightness">Robust standard deviation of the smoothed L* difference over unchanged skin (8-bit L* units).</param>
/// <param name="ThresholdLightness">The threshold used (8-bit L* units).</param>
/// <param name="BeforeUnpairedSupported">Per before-unpaired detection: whether the difference shows it went (lighter after along its shaft).</param>
/// <param name="AfterUnpairedSupported">Per after-unpaired detection: whether the difference shows it came (darker after along its shaft).</param>
internal sealed record DifferentialEvidence(IReadOnlyList<ChangedShaft> Shafts, double NoiseSigmaLightness, double ThresholdLightness, IReadOnlyList<bool> BeforeUnpairedSupported, IReadOnlyList<bool> AfterUnpairedSupported);

/// <summary>
/// Change detection by differencing (Radke et al. 2005, IEEE TIP: difference of co-registered,
/// radiometrically matched images, thresholded against the noise of unchanged pixels). In the
/// common geometry both visits are known pixel for pixel after the L*a*b* and sharpness match, so
/// a hair that appeared is a shaft-shaped region darker after than before (hair is darker than
/// skin) by more than k noise standard deviations, on pixels that were not hair before; a lost
/// hair is the mirror image. This sees a new shaft even where it touches an old one, which the
/// detector merges into one instance. Measures: per changed shaft its long axis, length, mean width
/// and contrast in noise units, and whether an unpaired detection already explains it; the noise
/// (1.4826 x MAD over skin away from any shaft). On identical or re-photographed unchanged scalp
/// the difference is noise and interpolation residual, which the threshold, the margin around
/// existing shafts and the shape test (length >= the counted 250 um, elongation, width) reject.
/// </summary>
internal static class DifferentialChange
{
    /// <param name="beforeBgr">8UC3 before photo (as measured: after any sharpness matching).</param>
    /// <param name="afterBgr">8UC3 after photo resampled into the before geometry and colour frame.</param>
    /// <param name="compared">8UC1 area compared (both visits analysable).</param>
    /// <param name="beforeHairMask">8UC1 before hair segmentation.</param>
    /// <param name="afterHairMask">8UC1 after hair segmentation (before geometry).</param>
    /// <param name="beforeUnpaired">Before detections with no after partner (they may explain a lost shaft).</param>
    /// <param name="afterUnpaired">After detections with no before partner (they may explain a gained shaft).</param>
    /// <param name="pixelsPerMillimetre">Scale used to size the shape test (the detector's sizing scale without a calibrated one).</param>
    /// <param name="referenceShaftWidthPixels">The detector's single-shaft width for this frame.</param>
    /// <param name="options">Threshold, smoothing and shape options.</param>
    /// <param name="ct">Cancellation.</param>
    public static DifferentialEvidence Find(
        Mat beforeBgr,
        Mat afterBgr,
        Mat compared,
        Mat beforeHairMask,
        Mat afterHairMask,
        IReadOnlyList<HairInstance> beforeUnpaired,
        IReadOnlyList<HairInstance> afterUnpaired,
        double pixelsPerMillimetre,
        double referenceShaftWidthPixels,
        DifferentialChangeOptions options,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(beforeBgr);
        ArgumentNullException.ThrowIfNull(afterBgr);
        ArgumentNullException.ThrowIfNull(compared);
        ArgumentNullException.ThrowIfNull(beforeHairMask);
        ArgumentNullException.ThrowIfNull(afterHairMask);
        ArgumentNullException.ThrowIfNull(options);
        if (pixelsPerMillimetre <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(pixelsPerMillimetre), "A positive scale is needed to size the shape test.");
        }

        using var beforeLightness = Lightness(beforeBgr, options.BlurSigmaPixels);
        using var afterLightness = Lightness(afterBgr, options.BlurSigmaPixels);
        using var difference = new Mat();
        Cv2.Subtract(beforeLightness, afterLightness, difference);
        ct.ThrowIfCancellationRequested();

        // Noise over skin: compared pixels well away from any shaft on either visit.
        using var anyHair = new Mat();
        Cv2.BitwiseOr(beforeHairMask, afterHairMask, anyHair);
        var skinMargin = Math.Max(3, (int)Math.Ceiling(referenceShaftWidthPixels));
        using var skin = new Mat();
        Dilate(anyHair, skinMargin, skin);
        Cv2.BitwiseNot(skin, skin);
        Cv2.BitwiseAnd(skin, compared, skin);
        var sigma = RobustSigma(difference, skin);
        var threshold = Math.Max(options.MinThresholdLightness, options.ThresholdNoiseSigmas * sigma);
        ct.ThrowIfCancellationRequested();

        var shape = new ShapeLimits(
            MinLengthPixels: options.MinLengthMicrometres * pixelsPerMillimetre / 1000.0,
            MinMeanWidthPixels: options.MinMeanWidthMicrometres * pixelsPerMillimetre / 1000.0,
            MaxMeanWidthPixels: options.MaxMeanWidthReferenceWidths * Math.Max(1.0, referenceShaftWidthPixels),
            MinElongation: options.MinElongation,
            BlobDiameterPixels: (3 * (int)Math.Ceiling(Math.Max(1.0, referenceShaftWidthPixels))) + 1);
        var shafts = new List<ChangedShaft>();
        var afterExplainers = new HashSet<int>();
        var beforeExplainers = new HashSet<int>();
        shafts.AddRange(Regions(difference, threshold, sigma, gained: true, compared, beforeHairMask, afterUnpaired, shape, options, afterExplainers));
        var supportThreshold = Math.Max(options.MinSupportLightness, options.SupportNoiseSigmas * sigma);
        var backgroundSigma = options.BackgroundReferenceWidths * Math.Max(1.0, referenceShaftWidthPixels);
        var afterSupported = Supported(difference, supportThreshold, compared, beforeHairMask, afterLightness, backgroundSigma, afterUnpaired, options);
        ct.ThrowIfCancellationRequested();
        bool[] beforeSupported;
        using (var negated = new Mat())
        {
            Cv2.Multiply(difference, Scalar.All(-1), negated);
            shafts.AddRange(Regions(negated, threshold, sigma, gained: false, compared, afterHairMask, beforeUnpaired, shape, options, beforeExplainers));
            beforeSupported = Supported(negated, supportThreshold, compared, afterHairMask, beforeLightness, backgroundSigma, beforeUnpaired, options);
        }

        // A detection that explains a changed shaft-shaped region is a change whatever its own centreline shows.
        foreach (var j in afterExplainers)
        {
            afterSupported[j] = true;
        }

        foreach (var i in beforeExplainers)
        {
            beforeSupported[i] = true;
        }

        return new DifferentialEvidence(shafts, sigma, threshold, beforeSupported, afterSupported);
    }

    private readonly record struct ShapeLimits(double MinLengthPixels, double MinMeanWidthPixels, double MaxMeanWidthPixels, double MinElongation, int BlobDiameterPixels);

    private static Mat Lightness(Mat bgr, double blurSigmaPixels)
    {
        using var lab = new Mat();
        Cv2.CvtColor(bgr, lab, ColorConversionCodes.BGR2Lab);
        using var l8 = new Mat();
        Cv2.ExtractChannel(lab, l8, 0);
        var l = new Mat();
        l8.ConvertTo(l, MatType.CV_32FC1);
        if (blurSigmaPixels > 0)
        {
            Cv2.GaussianBlur(l, l, new Size(0, 0), blurSigmaPixels);
        }

        return l;
    }

    private static void Dilate(Mat src, int radius, Mat dst)
    {
        if (radius <= 0)
        {
            src.CopyTo(dst);
            return;
        }

        using var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(2 * radius + 1, 2 * radius + 1));
        Cv2.Dilate(src, dst, kernel);
    }

    /// <summary>1.4826 x median absolute deviation of <paramref name="values"/> over <paramref name="mask"/>; 0 when the mask is empty.</summary>
    internal static double RobustSigma(Mat values, Mat mask)
    {
        values.GetArray(out float[] v);
        mask.GetArray(out byte[] m);
        var picked = new List<float>(m.Length / 2);
        for (var i = 0; i < m.Length; i++)
        {
            if (m[i] != 0)
            {
                picked.Add(v[i]);
            }
        }

        if (picked.Count == 0)
        {
            return 0;
        }

        var arr = picked.ToArray();
        Array.Sort(arr);
        var median = arr[arr.Length / 2];
        for (var i = 0; i < arr.Length; i++)
        {
            arr[i] = Math.Abs(arr[i] - median);
        }

        Array.Sort(arr);
        return 1.4826 * arr[arr.Length / 2];
    }

    /// <summary>
    /// Whether each unpaired detection's shaft changed: at least <see cref="DifferentialChangeOptions.ExplainedOverlapFraction"/>
    /// of its centreline samples have a changed pixel nearby (away from the other visit's hair).
    /// Changed: the difference exceeds <paramref name="threshold"/> and a share
    /// (<see cref="DifferentialChangeOptions.MinSupportContrastFraction"/>) of the shaft's own
    /// contrast on the visit that has it (its local background minus its lightness), so a structure
    /// present on both visits whose contrast the colour match scales a little differently (overlay
    /// text, very dark shafts) is not read as having come or gone; and that contrast itself must
    /// exceed the threshold (a shaft is darker than its surroundings). A detection with no such change
    /// is a hair the other visit's detection missed or split differently, not a change.
    /// </summary>
    private static bool[] Supported(Mat signed, double threshold, Mat compared, Mat otherVisitHair, Mat haveLightness, double backgroundSigmaPixels, IReadOnlyList<HairInstance> unpaired, DifferentialChangeOptions options)
    {
        if (unpaired.Count == 0)
        {
            return [];
        }

        using var changed = new Mat();
        using (var above = new Mat())
        using (var background = new Mat())
        using (var contrast = new Mat())
        using (var margin = new Mat())
        using (var aboveContrast = new Mat())
        {
            Cv2.Threshold(signed, above, threshold, 255, ThresholdTypes.Binary);
            above.ConvertTo(changed, MatType.CV_8UC1);
            Cv2.GaussianBlur(haveLightness, background, new Size(0, 0), backgroundSigmaPixels);
            Cv2.Subtract(background, haveLightness, contrast);
            // margin = signed - fraction * contrast > 0
            Cv2.ScaleAdd(contrast, -options.MinSupportContrastFraction, signed, margin);
            Cv2.Threshold(margin, margin, 0, 255, ThresholdTypes.Binary);
            margin.ConvertTo(aboveContrast, MatType.CV_8UC1);
            Cv2.BitwiseAnd(changed, aboveContrast, changed);
            // And the visit that has the hair shows a dark shaft there (hair polarity), not a light structure.
            Cv2.Threshold(contrast, margin, threshold, 255, ThresholdTypes.Binary);
            margin.ConvertTo(aboveContrast, MatType.CV_8UC1);
            Cv2.BitwiseAnd(changed, aboveContrast, changed);
        }

        // Only the compared area: overlays and the seam (text edges, frame border) differ between visits without any hair.
        Cv2.BitwiseAnd(changed, compared, changed);
        using (var existing = new Mat())
        {
            Dilate(otherVisitHair, options.ExistingShaftMarginPixels, existing);
            Cv2.Subtract(changed, existing, changed);
        }

        using var labels = new Mat();
        changed.ConvertTo(labels, MatType.CV_32S, 1.0 / 255);
        // On the centreline itself (2 px): a wider search would reach neighbouring structures.
        return unpaired.Select(hair => OverlapFraction(hair, labels, 1, 2) >= options.ExplainedOverlapFraction).ToArray();
    }

    /// <summary>Shaft-shaped regions of <paramref name="signed"/> &gt; threshold, away from the other visit's hair.</summary>
    private static List<ChangedShaft> Regions(Mat signed, double threshold, double sigma, bool gained, Mat compared, Mat otherVisitHair, IReadOnlyList<HairInstance> unpaired, ShapeLimits shape, DifferentialChangeOptions options, HashSet<int> explainers)
    {
        using var changed = new Mat();
        using (var above = new Mat())
        {
            Cv2.Threshold(signed, above, threshold, 255, ThresholdTypes.Binary);
            above.ConvertTo(changed, MatType.CV_8UC1);
        }

        Cv2.BitwiseAnd(changed, compared, changed);
        using (var existing = new Mat())
        {
            Dilate(otherVisitHair, options.ExistingShaftMarginPixels, existing);
            Cv2.Subtract(changed, existing, changed);
        }

        using var labels = new Mat();
        using var stats = new Mat();
        using var centroids = new Mat();
        var count = Cv2.ConnectedComponentsWithStats(changed, labels, stats, centroids, PixelConnectivity.Connectivity8, MatType.CV_32S);
        var minArea = shape.MinLengthPixels * shape.MinMeanWidthPixels;
        var keep = new bool[count];
        for (var c = 1; c < count; c++)
        {
            var w = stats.At<int>(c, (int)ConnectedComponentsTypes.Width);
            var h = stats.At<int>(c, (int)ConnectedComponentsTypes.Height);
            keep[c] = stats.At<int>(c, (int)ConnectedComponentsTypes.Area) >= minArea && Math.Sqrt((double)(w * w) + (h * h)) >= shape.MinLengthPixels;
        }

        if (!keep.Any(k => k))
        {
            return [];
        }

        // The darkened opening of a new hair (a round patch wider than any shaft) joins shafts that
        // leave it together; the stretch of the region it covers is left out when counting shafts side by side.
        using var blob = new Mat();
        using (var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(shape.BlobDiameterPixels, shape.BlobDiameterPixels)))
        {
            Cv2.MorphologyEx(changed, blob, MorphTypes.Open, kernel);
        }

        labels.GetArray(out int[] label);
        signed.GetArray(out float[] value);
        blob.GetArray(out byte[] inBlob);
        var points = new Dictionary<int, List<Point>>();
        var blobPoints = new Dictionary<int, List<Point>>();
        var contrast = new Dictionary<int, double>();
        var cols = labels.Cols;
        for (var i = 0; i < label.Length; i++)
        {
            var c = label[i];
            if (c > 0 && keep[c])
            {
                if (!points.TryGetValue(c, out var list))
                {
                    points[c] = list = [];
                }

                list.Add(new Point(i % cols, i / cols));
                contrast[c] = contrast.GetValueOrDefault(c) + value[i];
                if (inBlob[i] != 0)
                {
                    if (!blobPoints.TryGetValue(c, out var blobList))
                    {
                        blobPoints[c] = blobList = [];
                    }

                    blobList.Add(new Point(i % cols, i / cols));
                }
            }
        }

        var result = new List<ChangedShaft>();
        foreach (var (c, list) in points)
        {
            var rect = Cv2.MinAreaRect(list);
            var length = Math.Max(rect.Size.Width, rect.Size.Height);
            if (length < shape.MinLengthPixels)
            {
                continue;
            }

            // Long axis of the rotated rectangle: along Width at Angle, else along Height.
            var angle = rect.Angle * Math.PI / 180.0;
            double ux = Math.Cos(angle), uy = Math.Sin(angle);
            if (rect.Size.Height > rect.Size.Width)
            {
                (ux, uy) = (-uy, ux);
            }

            // Two new shafts side by side (a unit gaining two hairs, or a pair diverging from one
            // opening) form one region; counted as the number of separate runs across the axis
            // that most of its length shows.
            var shaftCount = ShaftsAcross(list, blobPoints.GetValueOrDefault(c) ?? [], rect.Center, ux, uy, options.MinSeparateShaftFraction);
            var meanWidth = list.Count / length / shaftCount;
            if (meanWidth < shape.MinMeanWidthPixels || meanWidth > shape.MaxMeanWidthPixels || length / meanWidth < shape.MinElongation)
            {
                continue;
            }

            var half = length / 2.0;
            var end1 = new PointPixels(rect.Center.X - (ux * half), rect.Center.Y - (uy * half));
            var end2 = new PointPixels(rect.Center.X + (ux * half), rect.Center.Y + (uy * half));
            var along = Enumerable.Range(0, unpaired.Count)
                .Where(j => OverlapFraction(unpaired[j], labels, c, (int)Math.Ceiling(Math.Max(2, meanWidth))) >= options.ExplainedOverlapFraction)
                .ToList();
            explainers.UnionWith(along);
            var explained = along.Count;

            var meanContrast = sigma > 0 ? contrast[c] / list.Count / sigma : double.PositiveInfinity;
            result.Add(new ChangedShaft(gained, end1, end2, length, meanWidth, meanContrast, shaftCount, Math.Min(shaftCount, explained)));
        }

        return result;
    }

    /// <summary>
    /// Number of shafts in one region: along its long axis (2-pixel bins), the number of separate
    /// pixel runs across the axis (gap over 1.5 px); the largest k that at least
    /// <paramref name="minFraction"/> of the occupied bins reach. Bins that cross the opening patch
    /// (<paramref name="blobPoints"/>) are left out: there the shafts merge.
    /// </summary>
    internal static int ShaftsAcross(List<Point> points, List<Point> blobPoints, Point2f centre, double ux, double uy, double minFraction)
    {
        // 2-pixel bins: a slanted shaft's pixels in a 1-pixel bin can leave gaps across it.
        int Bin(Point p) => (int)Math.Floor((((p.X - centre.X) * ux) + ((p.Y - centre.Y) * uy)) / 2.0);
        var blobBins = blobPoints.Select(Bin).ToHashSet();
        var bins = new Dictionary<int, List<double>>();
        foreach (var p in points)
        {
            double dx = p.X - centre.X, dy = p.Y - centre.Y;
            var along = Bin(p);
            if (blobBins.Contains(along))
            {
                continue;
            }

            var across = (-dx * uy) + (dy * ux);
            if (!bins.TryGetValue(along, out var list))
            {
                bins[along] = list = [];
            }

            list.Add(across);
        }

        var runs = new List<int>(bins.Count);
        foreach (var list in bins.Values)
        {
            list.Sort();
            var n = 1;
            for (var i = 1; i < list.Count; i++)
            {
                if (list[i] - list[i - 1] > 1.5)
                {
                    n++;
                }
            }

            runs.Add(n);
        }

        if (runs.Count == 0)
        {
            return 1;
        }

        runs.Sort();
        // The k-th largest run count that minFraction of the bins reach.
        var index = (int)Math.Floor((1 - minFraction) * (runs.Count - 1));
        return Math.Max(1, runs[index]);
    }

    /// <summary>Share of 11 samples along the hair's emergence-tip segment that have a pixel of component <paramref name="component"/> within <paramref name="radius"/>.</summary>
    private static double OverlapFraction(HairInstance hair, Mat labels, int component, int radius)
    {
        const int samples = 11;
        var hits = 0;
        for (var s = 0; s < samples; s++)
        {
            var t = s / (double)(samples - 1);
            var x = (int)Math.Round(hair.Emergence.X + (t * (hair.Tip.X - hair.Emergence.X)));
            var y = (int)Math.Round(hair.Emergence.Y + (t * (hair.Tip.Y - hair.Emergence.Y)));
            if (Near(labels, x, y, component, radius))
            {
                hits++;
            }
        }

        return hits / (double)samples;
    }

    private static bool Near(Mat labels, int x, int y, int component, int radius)
    {
        for (var dy = -radius; dy <= radius; dy++)
        {
            var yy = y + dy;
            if (yy < 0 || yy >= labels.Rows)
            {
                continue;
            }

            for (var dx = -radius; dx <= radius; dx++)
            {
                var xx = x + dx;
                if (xx >= 0 && xx < labels.Cols && labels.At<int>(yy, xx) == component)
                {
                    return true;
                }
            }
        }

        return false;
    }
}
