using System.Buffers;
using System.Runtime.CompilerServices;
using OpenCvSharp;
using SmpVision.Pipeline.Model;
using SmpVision.Pipeline.Segmentation;

namespace SmpVision.Pipeline.Measurement.Colour;

/// <summary>Skin and hair colour of a frame (CIELAB D65; DOMAIN.md, Colour and skin tone).</summary>
/// <param name="Skin">Median skin colour (per-channel median of skin pixels); null when no skin pixel was found.</param>
/// <param name="Hair">Median hair colour (core hair pixels); null when no hair was found.</param>
/// <param name="IndividualTypologyAngleDegrees">ITA of the skin colour; null without skin.</param>
/// <param name="Band">Chardon 1991 band of the ITA.</param>
/// <param name="HairSkinDeltaE2000">CIEDE2000 between hair and skin; null without both.</param>
/// <param name="HairSkinLightnessDifference">L*(skin) - L*(hair); null without both.</param>
/// <param name="SkinPixelCount">Pixels the skin colour came from (working resolution).</param>
/// <param name="HairPixelCount">Pixels the hair colour came from (working resolution).</param>
/// <param name="Calibrated">False: no colour chart was used, so camera colour error applies (DOMAIN.md).</param>
public sealed record TrichoscopyColour(
    LabColour? Skin,
    LabColour? Hair,
    double? IndividualTypologyAngleDegrees,
    ItaBand Band,
    double? HairSkinDeltaE2000,
    double? HairSkinLightnessDifference,
    int SkinPixelCount,
    int HairPixelCount,
    bool Calibrated);

/// <summary>Options of <see cref="ColourMeasurement"/>.</summary>
public sealed record ColourOptions
{
    /// <summary>Skin pixels at or above this max-channel level are glare or clipped and skipped. Default 245.</summary>
    public int GlareMinValue { get; init; } = 245;

    /// <summary>
    /// Skin pixels darker than their surroundings by more than this (relative, as in hair
    /// segmentation) are skipped: sub-surface shafts, openings and furrows are not skin tone.
    /// Default 0.06.
    /// </summary>
    public double SkinMaxRelativeDarkness { get; init; } = 0.06;

    /// <summary>Skin pixels this many working pixels or fewer from hair are skipped (shaft halo). Default 3.</summary>
    public int HairHaloPixels { get; init; } = 3;

    /// <summary>
    /// Skin is sampled within this fraction of the half-diagonal around the frame centre, where a
    /// dermoscope lights the field evenly: the rim is darkened by vignetting and corner defocus,
    /// which lowers L* and so the ITA (Chardon 1991, DOMAIN.md) by several degrees. Falls back to
    /// the whole analysable area when the disc holds too few skin samples (masked centre).
    /// 1 samples the whole frame. Default 0.5 (under a 0.2 vignetting the disc is within ~4% of
    /// the centre's brightness).
    /// </summary>
    public double SkinSampleRadiusFraction { get; init; } = 0.5;

    /// <summary>
    /// Skin samples farther (CIE76) from the skin median than this many times the samples' median
    /// distance to it are dropped before the final median, in <see cref="SkinTrimRounds"/> rounds.
    /// The darkness cut is one-sided: it drops what is darker than typical skin but keeps lighter
    /// minorities (white scale flakes, sheen under the glare cut), and on flaky skin those pulled
    /// the per-channel median towards high L* and low b*, i.e. a high ITA (generated dev seed 606:
    /// L* +0.7, b* -1.1, ITA +5.5 deg). Skin tone is the dominant colour population; for a 3-D
    /// normal spread the median distance is ~1.54 sigma, so the default 2.0 (~3.1 sigma) keeps
    /// ~97% of the skin itself. 0 turns the trim off. Default 2.0.
    /// </summary>
    public double SkinOutlierDistanceFactor { get; init; } = 2.0;

    /// <summary>
    /// Rounds of the skin outlier trim (median, drop far samples, median again). Default 1: a
    /// second round moved no ITA by more than 0.2 deg on generated dev seeds 401-410 and 601-610,
    /// and each round costs ~2 ms (four selections over ~60k samples).
    /// </summary>
    public int SkinTrimRounds { get; init; } = 1;

    /// <summary>Returns the problems with these options; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (SkinOutlierDistanceFactor is < 0 || !double.IsFinite(SkinOutlierDistanceFactor)) errors.Add("SkinOutlierDistanceFactor must be >= 0 (0 = off).");
        if (SkinTrimRounds is < 0 or > 10) errors.Add("SkinTrimRounds must be 0-10.");
        if (GlareMinValue is < 1 or > 255) errors.Add("GlareMinValue must be 1-255.");
        if (SkinMaxRelativeDarkness is < 0 or > 1) errors.Add("SkinMaxRelativeDarkness must be in [0, 1].");
        if (HairHaloPixels < 0) errors.Add("HairHaloPixels must be >= 0.");
        if (SkinSampleRadiusFraction is <= 0 or > 1) errors.Add("SkinSampleRadiusFraction must be in (0, 1].");
        return errors;
    }
}

/// <summary>
/// Measures skin and hair colour from the pixels the segmentation assigns them: robust per-channel
/// medians in CIELAB (D65) of skin (analysable, off hair and its halo, not glare, in the evenly lit centre of the field) and of hair cores
/// (hair mask eroded), then ITA with its Chardon 1991 band and hair/skin CIEDE2000 and L*
/// difference (DOMAIN.md, Colour and skin tone). Colour is always flagged uncalibrated (no chart).
/// </summary>
internal static class ColourMeasurement
{
    /// <summary>Fewer skin samples than this in the centre disc fall back to the whole field.</summary>
    private const int MinCentreSkinSamples = 500;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe TrichoscopyColour Measure(Mat workBgr, HairSegmentation seg, ColourOptions o)
    {
        ArgumentNullException.ThrowIfNull(workBgr);
        ArgumentNullException.ThrowIfNull(seg);
        ArgumentNullException.ThrowIfNull(o);
        using var halo = new Mat();
        int d = (2 * o.HairHaloPixels) + 1;
        using (var k = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(d, d)))
        {
            Cv2.Dilate(seg.HairMask, halo, k);
        }

        using var core = new Mat();
        using (var k = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(3, 3)))
        {
            Cv2.Erode(seg.HairMask, core, k);
        }

        var skinL = new List<double>();
        var skinA = new List<double>();
        var skinB = new List<double>();
        var hairL = new List<double>();
        var hairA = new List<double>();
        var hairB = new List<double>();
        int rows = workBgr.Rows, cols = workBgr.Cols;
        using var cache = new LabCache();
        int skinMaxDark = (int)Math.Round(255 * o.SkinMaxRelativeDarkness);
        double cx = 0.5 * cols, cy = 0.5 * rows;
        double centreR2 = o.SkinSampleRadiusFraction * o.SkinSampleRadiusFraction * ((cx * cx) + (cy * cy));
        var centreSamples = new List<SkinSample>();
        var rimSamples = new List<SkinSample>();
        for (int y = 0; y < rows; y++)
        {
            byte* p = MatPixels.Row(workBgr, y);
            byte* pa = MatPixels.Row(seg.Analysable, y);
            byte* ph = MatPixels.Row(halo, y);
            byte* pc = MatPixels.Row(core, y);
            byte* pd = MatPixels.Row(seg.RelativeDarkness, y);
            // Hair cores are sampled where x + y is even and skin where x and y are both even, so
            // only every other pixel of a row can be sampled at all: x runs over the parity of y.
            // Odd rows hold hair samples only (a core pixel is always inside the halo, never skin).
            bool evenRow = (y & 1) == 0;
            for (int x = y & 1; x < cols; x += 2)
            {
                if (pa[x] == 0)
                {
                    continue;
                }

                byte b = p[3 * x], g = p[(3 * x) + 1], r = p[(3 * x) + 2];
                if (pc[x] != 0)
                {
                    var lab = cache.FromSrgb(r, g, b);
                    hairL.Add(lab.L);
                    hairA.Add(lab.A);
                    hairB.Add(lab.B);
                }
                else if (evenRow && ph[x] == 0 && Math.Max(b, Math.Max(g, r)) < o.GlareMinValue)
                {
                    // One skin pixel in four is plenty for a median and quarters the cost.
                    var lab = cache.FromSrgb(r, g, b);
                    double dx = x - cx, dy = y - cy;
                    bool centre = (dx * dx) + (dy * dy) <= centreR2;
                    (centre ? centreSamples : rimSamples).Add(new SkinSample(lab, pd[x]));
                }
            }
        }

        // The darkness reference is a closing, i.e. the brightest skin nearby (texture peaks, glare
        // flecks, sheen), so typical skin already reads some darkness, more on strongly textured
        // or glare-flecked skin. An absolute cut there keeps only the lightest skin (dev seed 410:
        // L* +4.9, ITA +12.6 deg). Skin is what is no darker than the frame's typical skin by more
        // than the margin; darker are sub-surface shafts, openings and furrows.
        int darkCut = skinMaxDark + MedianDarkness(centreSamples.Count >= MinCentreSkinSamples ? centreSamples : [.. centreSamples, .. rimSamples]);
        AddSkin(centreSamples, darkCut, skinL, skinA, skinB);
        if (skinL.Count < MinCentreSkinSamples)
        {
            // Centre masked or covered by hair: the whole field is better than a handful of pixels.
            AddSkin(rimSamples, darkCut, skinL, skinA, skinB);
        }

        LabColour? skin = skinL.Count > 0 ? RobustSkinCentre(skinL, skinA, skinB, o) : null;
        LabColour? hair = hairL.Count > 0 ? new LabColour(Median(hairL), Median(hairA), Median(hairB)) : null;
        double? ita = skin is { } s ? CieLab.IndividualTypologyAngleDegrees(s) : null;
        var band = ita is { } i ? CieLab.BandOf(i) : ItaBand.Unspecified;
        double? de = skin is { } s2 && hair is { } h2 ? CieLab.DeltaE2000(h2, s2) : null;
        double? dl = skin is { } s3 && hair is { } h3 ? s3.L - h3.L : null;
        return new TrichoscopyColour(skin, hair, ita, band, de, dl, skinL.Count, hairL.Count, Calibrated: false);
    }

    /// <summary>
    /// Direct-mapped memo of <see cref="CieLab.FromSrgb"/>: skin and hair pixels repeat a small
    /// set of colours, and the conversion (three cube roots) was most of the stage's cost. Values
    /// are those of the conversion itself, so results are unchanged.
    /// </summary>
    private sealed class LabCache : IDisposable
    {
        private const int Bits = 16;

        // Pooled, not allocated per call: 1.8 MB of fresh large-object arrays per frame forced a
        // full (gen 2) collection every few frames. Only the keys need clearing: a slot's value is
        // read only after its key matched.
        private readonly int[] _keys = ArrayPool<int>.Shared.Rent(1 << Bits);
        private readonly LabColour[] _values = ArrayPool<LabColour>.Shared.Rent(1 << Bits);

        public LabCache() => Array.Clear(_keys, 0, 1 << Bits);

        public LabColour FromSrgb(byte r, byte g, byte b)
        {
            int key = (r << 16) | (g << 8) | b;
            int slot = (int)(((uint)key * 2654435769u) >> (32 - Bits));
            if (_keys[slot] == key + 1)
            {
                return _values[slot];
            }

            var lab = CieLab.FromSrgb(r, g, b);
            _keys[slot] = key + 1;
            _values[slot] = lab;
            return lab;
        }

        public void Dispose()
        {
            ArrayPool<int>.Shared.Return(_keys);
            ArrayPool<LabColour>.Shared.Return(_values);
        }
    }

    private readonly record struct SkinSample(LabColour Lab, byte Darkness);

    private static int MedianDarkness(List<SkinSample> samples)
    {
        if (samples.Count == 0)
        {
            return 0;
        }

        var hist = new int[256];
        foreach (var s in samples)
        {
            hist[s.Darkness]++;
        }

        int half = samples.Count / 2, acc = 0;
        for (int v = 0; v < 256; v++)
        {
            acc += hist[v];
            if (acc > half)
            {
                return v;
            }
        }

        return 255;
    }

    private static void AddSkin(List<SkinSample> samples, int darkCut, List<double> l, List<double> a, List<double> b)
    {
        foreach (var s in samples)
        {
            if (s.Darkness <= darkCut)
            {
                l.Add(s.Lab.L);
                a.Add(s.Lab.A);
                b.Add(s.Lab.B);
            }
        }
    }

    /// <summary>
    /// Per-channel median of the skin samples after dropping, in a few rounds, the samples far
    /// from the current median colour (<see cref="ColourOptions.SkinOutlierDistanceFactor"/>):
    /// a symmetric trim around the dominant skin colour, so light minorities (flakes, sheen) no
    /// longer pull the median. The lists are reordered, not changed in content.
    /// </summary>
    private static LabColour RobustSkinCentre(List<double> l, List<double> a, List<double> b, ColourOptions o)
    {
        if (o.SkinOutlierDistanceFactor <= 0 || o.SkinTrimRounds == 0)
        {
            return new LabColour(Median(l), Median(a), Median(b));
        }

        // Aligned triples first: each per-channel median reorders its own list.
        var n = l.Count;
        var samples = ArrayPool<(double L, double A, double B)>.Shared.Rent(n);
        try
        {
            for (var i = 0; i < n; i++)
            {
                samples[i] = (l[i], a[i], b[i]);
            }

            return TrimmedCentre(samples, n, new LabColour(Median(l), Median(a), Median(b)), o);
        }
        finally
        {
            ArrayPool<(double L, double A, double B)>.Shared.Return(samples);
        }
    }

    private static LabColour TrimmedCentre((double L, double A, double B)[] samples, int n, LabColour centre, ColourOptions o)
    {
        // One distance buffer and one per-channel buffer, reused by every round (selection
        // reorders them, so each round refills them from the samples).
        var distances = ArrayPool<double>.Shared.Rent(n);
        var kept = ArrayPool<double>.Shared.Rent(n);
        try
        {
            for (var round = 0; round < o.SkinTrimRounds; round++)
            {
                for (var i = 0; i < n; i++)
                {
                    var (sl, sa, sb) = samples[i];
                    distances[i] = Math.Sqrt(((sl - centre.L) * (sl - centre.L)) + ((sa - centre.A) * (sa - centre.A)) + ((sb - centre.B) * (sb - centre.B)));
                }

                // The cut is taken from a copy: the distances are needed in sample order below.
                distances.AsSpan(0, n).CopyTo(kept);
                var cut = o.SkinOutlierDistanceFactor * Median(kept.AsSpan(0, n));
                var count = 0;
                for (var i = 0; i < n; i++)
                {
                    if (distances[i] <= cut)
                    {
                        count++;
                    }
                }

                if (count == 0)
                {
                    break;
                }

                centre = new LabColour(
                    KeptMedian(samples, n, distances, cut, kept, static s => s.L),
                    KeptMedian(samples, n, distances, cut, kept, static s => s.A),
                    KeptMedian(samples, n, distances, cut, kept, static s => s.B));
            }

            return centre;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(distances);
            ArrayPool<double>.Shared.Return(kept);
        }
    }

    /// <summary>Median of one channel over the samples within the cut, using <paramref name="buffer"/>.</summary>
    private static double KeptMedian((double L, double A, double B)[] samples, int n, double[] distances, double cut, double[] buffer, Func<(double L, double A, double B), double> channel)
    {
        var count = 0;
        for (var i = 0; i < n; i++)
        {
            if (distances[i] <= cut)
            {
                buffer[count++] = channel(samples[i]);
            }
        }

        return Median(buffer.AsSpan(0, count));
    }

    private static double Median(Span<double> v)
    {
        int c = v.Length;
        double upper = OrderStatistics.Select(v, c / 2);
        return c % 2 == 1 ? upper : 0.5 * (OrderStatistics.Max<double>(v[..(c / 2)]) + upper);
    }

    private static double Median(List<double> v)
    {
        // Exact median by selection: the two middle order statistics, as a sort would give them.
        int c = v.Count;
        var a = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(v);
        double upper = OrderStatistics.Select(a, c / 2);
        return c % 2 == 1 ? upper : 0.5 * (OrderStatistics.Max<double>(a[..(c / 2)]) + upper);
    }
}
