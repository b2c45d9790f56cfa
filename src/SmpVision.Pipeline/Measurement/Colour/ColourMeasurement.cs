using System.Buffers;
using System.Runtime.CompilerServices;
using OpenCvSharp;
using SmpVision.Pipeline.Model;
using SmpVision.Pipeline.Segmentation;

namespace SmpVision.Pipeline.Measurement.Colour;

/// <summary>Skin and hair colour of a frame (CIELAB D65; docs/DOMAIN-SOURCES.md, Colour and skin tone).</summary>
/// <param name="Skin">Median skin colour (per-channel median of skin pixels); null when no skin pixel was found.</param>
/// <param name="Hair">Median hair colour (core hair pixels); null when no hair was found.</param>
/// <param name="IndividualTypologyAngleDegrees">ITA of the skin colour, -90 to 90 degrees (<see cref="CieLab.IndividualTypologyAngleDegrees"/>); null without skin or when the skin colour is not reliable.</param>
/// <param name="Band">Chardon 1991 band of the ITA; unspecified without an ITA.</param>
/// <param name="HairSkinDeltaE2000">CIEDE2000 between hair and skin; null without both.</param>
/// <param name="HairSkinLightnessDifference">L*(skin) - L*(hair); null without both.</param>
/// <param name="SkinPixelCount">Pixels the skin colour came from (working resolution).</param>
/// <param name="HairPixelCount">Pixels the hair colour came from (working resolution).</param>
/// <param name="Calibrated">False: no colour chart was used, so camera colour error applies (docs/DOMAIN-SOURCES.md).</param>
public sealed record TrichoscopyColour(
    LabColour? Skin,
    LabColour? Hair,
    double? IndividualTypologyAngleDegrees,
    ItaBand Band,
    double? HairSkinDeltaE2000,
    double? HairSkinLightnessDifference,
    int SkinPixelCount,
    int HairPixelCount,
    bool Calibrated)
{
    /// <summary>
    /// Whether the skin colour reads as a skin tone (b* above <see cref="CieLab.MinReliableSkinB"/>):
    /// false without skin, or when a blue dye or colour cast leaves skin b* at or below zero; the
    /// ITA and its band are then not reported and the pigment rule does not use them.
    /// </summary>
    public bool SkinColourReliable => Skin is { } s && CieLab.IsReliableSkinColour(s);

    /// <summary>
    /// The frame's colour from a skin and a hair estimate: ITA and band only for reliable skin
    /// colour, CIEDE2000 and L* difference with both. The one place these are derived, so
    /// measurements.colour and the plan's pigment report the same values.
    /// </summary>
    public static TrichoscopyColour From(LabColour? skin, LabColour? hair, int skinPixelCount, int hairPixelCount, bool calibrated)
    {
        double? ita = skin is { } s && CieLab.IsReliableSkinColour(s) ? CieLab.IndividualTypologyAngleDegrees(s) : null;
        var band = ita is { } i ? CieLab.BandOf(i) : ItaBand.Unspecified;
        double? de = skin is { } s2 && hair is { } h2 ? CieLab.DeltaE2000(h2, s2) : null;
        double? dl = skin is { } s3 && hair is { } h3 ? s3.L - h3.L : null;
        return new TrichoscopyColour(skin, hair, ita, band, de, dl, skinPixelCount, hairPixelCount, calibrated);
    }
}

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
    /// which lowers L* and so the ITA (Chardon 1991, docs/DOMAIN-SOURCES.md) by several degrees. Falls back to
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
    /// L* +0.7, b* -1.1, ITA (Chardon 1991, docs/DOMAIN-SOURCES.md) +5.5 deg). Skin tone is the dominant colour population; for a 3-D
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

    /// <summary>
    /// Skin behind each detected hair's opening, this far along the shaft's axis, is not sampled:
    /// the buried part of the shaft shows through the epidermis as a blue-grey streak (as on almost
    /// every hair of the real dev frames; the generator draws 0.15-0.45 mm), and on dense frames
    /// those streaks cover enough skin to pull the median L* down, i.e. the ITA (Chardon 1991,
    /// docs/DOMAIN-SOURCES.md) by several degrees. In millimetres at the frame's sizing scale; 0 turns it off.
    /// Default 0.5.
    /// </summary>
    public double SubsurfaceExclusionMillimetres { get; init; } = 0.5;

    /// <summary>
    /// Width of that excluded streak as a multiple of the hair's shaft width: the buried part reads
    /// wider than the shaft as it deepens (light scatters). Default 3.
    /// </summary>
    public double SubsurfaceExclusionWidthFactor { get; init; } = 3.0;

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
        if (SubsurfaceExclusionMillimetres is < 0 or > 5 || !double.IsFinite(SubsurfaceExclusionMillimetres)) errors.Add("SubsurfaceExclusionMillimetres must be 0-5 (0 = off).");
        if (SubsurfaceExclusionWidthFactor is < 1 or > 20 || !double.IsFinite(SubsurfaceExclusionWidthFactor)) errors.Add("SubsurfaceExclusionWidthFactor must be 1-20.");
        return errors;
    }
}

/// <summary>
/// Measures skin and hair colour from the pixels the segmentation assigns them: robust per-channel
/// medians in CIELAB (D65) of skin (analysable, off hair and its halo, not glare, in the evenly lit centre of the field) and of hair cores
/// (hair mask eroded), then ITA with its Chardon 1991 band and hair/skin CIEDE2000 and L*
/// difference (docs/DOMAIN-SOURCES.md, Colour and skin tone). Colour is always flagged uncalibrated (no chart).
/// </summary>
internal static class ColourMeasurement
{
    /// <summary>Fewer skin samples than this in the centre disc fall back to the whole field.</summary>
    private const int MinCentreSkinSamples = 500;

    /// <summary>Measures the frame's skin and hair colour.</summary>
    /// <param name="workBgr">The segmentation's working image.</param>
    /// <param name="seg">The hair segmentation at working scale.</param>
    /// <param name="o">Options.</param>
    /// <param name="hairs">Detected hairs (full-resolution pixels) whose buried parts are kept out of the skin sample; null for none.</param>
    /// <param name="sizingPixelsPerMillimetre">Full-resolution pixels per millimetre used to size that exclusion (the frame's scale or the nominal one).</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe TrichoscopyColour Measure(Mat workBgr, HairSegmentation seg, ColourOptions o, IReadOnlyList<HairInstance>? hairs = null, double sizingPixelsPerMillimetre = 0)
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

        if (hairs is { Count: > 0 } && o.SubsurfaceExclusionMillimetres > 0 && sizingPixelsPerMillimetre > 0)
        {
            ExcludeSubsurface(halo, hairs, seg.WorkScale, o.SubsurfaceExclusionMillimetres * sizingPixelsPerMillimetre, o);
        }

        using var core = new Mat();
        using (var k = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(3, 3)))
        {
            Cv2.Erode(seg.HairMask, core, k);
        }

        int rows = workBgr.Rows, cols = workBgr.Cols;
        using var cache = new LabCache();
        int skinMaxDark = (int)Math.Round(255 * o.SkinMaxRelativeDarkness);
        double cx = 0.5 * cols, cy = 0.5 * rows;
        double centreR2 = o.SkinSampleRadiusFraction * o.SkinSampleRadiusFraction * ((cx * cx) + (cy * cy));

        // Sample buffers are pooled and sized to the most samples the sampling can take (hair:
        // the core pixels; skin: one pixel in four, centre samples filled from the front of one
        // buffer and rim samples from its back): growing lists of them allocated ~8 MB of
        // large-object arrays per frame, and with them full garbage collections.
        int maxHair = Cv2.CountNonZero(core), maxSkin = ((rows + 1) / 2) * ((cols + 1) / 2);
        var hairSamples = ArrayPool<LabColour>.Shared.Rent(maxHair);
        var skinBuffer = ArrayPool<SkinSample>.Shared.Rent(maxSkin);
        var skinSamples = ArrayPool<LabColour>.Shared.Rent(maxSkin);
        var channel = ArrayPool<double>.Shared.Rent(Math.Max(maxHair, maxSkin));
        try
        {
            int nHair = 0, nCentre = 0, nRim = 0;
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
                        hairSamples[nHair++] = cache.FromSrgb(r, g, b);
                    }
                    else if (evenRow && ph[x] == 0 && Math.Max(b, Math.Max(g, r)) < o.GlareMinValue)
                    {
                        // One skin pixel in four is plenty for a median and quarters the cost.
                        var sample = new SkinSample(cache.FromSrgb(r, g, b), pd[x]);
                        double dx = x - cx, dy = y - cy;
                        if ((dx * dx) + (dy * dy) <= centreR2)
                        {
                            skinBuffer[nCentre++] = sample;
                        }
                        else
                        {
                            skinBuffer[maxSkin - 1 - nRim++] = sample;
                        }
                    }
                }
            }

            // The darkness reference is a closing, i.e. the brightest skin nearby (texture peaks, glare
            // flecks, sheen), so typical skin already reads some darkness, more on strongly textured
            // or glare-flecked skin. An absolute cut there keeps only the lightest skin (dev seed 410:
            // L* +4.9, ITA +12.6 deg). Skin is what is no darker than the frame's typical skin by more
            // than the margin; darker are sub-surface shafts, openings and furrows.
            // The medians and the trim do not depend on sample order, so the rim's reversed order
            // in the buffer does not matter.
            var centre = skinBuffer.AsSpan(0, nCentre);
            var rim = skinBuffer.AsSpan(maxSkin - nRim, nRim);
            int darkCut = skinMaxDark + (nCentre >= MinCentreSkinSamples ? MedianDarkness(centre, []) : MedianDarkness(centre, rim));
            int nSkin = AddSkin(centre, darkCut, skinSamples, 0);
            if (nSkin < MinCentreSkinSamples)
            {
                // Centre masked or covered by hair: the whole field is better than a handful of pixels.
                nSkin = AddSkin(rim, darkCut, skinSamples, nSkin);
            }

            LabColour? skin = nSkin > 0 ? RobustSkinCentre(skinSamples.AsSpan(0, nSkin), channel, o) : null;
            LabColour? hair = nHair > 0 ? ChannelMedians(hairSamples.AsSpan(0, nHair), channel) : null;
            return TrichoscopyColour.From(skin, hair, nSkin, nHair, calibrated: false);
        }
        finally
        {
            ArrayPool<LabColour>.Shared.Return(hairSamples);
            ArrayPool<SkinSample>.Shared.Return(skinBuffer);
            ArrayPool<LabColour>.Shared.Return(skinSamples);
            ArrayPool<double>.Shared.Return(channel);
        }
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

    /// <summary>Marks, in <paramref name="excluded"/> (working scale), the streak behind each hair's opening (see <see cref="ColourOptions.SubsurfaceExclusionMillimetres"/>).</summary>
    private static void ExcludeSubsurface(Mat excluded, IReadOnlyList<HairInstance> hairs, double workScale, double lengthFullPixels, ColourOptions o)
    {
        foreach (var h in hairs)
        {
            double dx = h.Emergence.X - h.Tip.X, dy = h.Emergence.Y - h.Tip.Y;
            var len = Math.Sqrt((dx * dx) + (dy * dy));
            if (len < 1e-6)
            {
                continue;
            }

            dx /= len;
            dy /= len;
            var thickness = Math.Max(1, (int)Math.Round(o.SubsurfaceExclusionWidthFactor * h.WidthPixels * workScale));
            // Only behind the opening the extractor chose: excluding beyond the tip as well (for
            // openings read at the wrong end) helped as many frames as it hurt (mixed 1401-1730).
            var a = new Point((int)Math.Round(h.Emergence.X * workScale), (int)Math.Round(h.Emergence.Y * workScale));
            var b = new Point((int)Math.Round((h.Emergence.X + (dx * lengthFullPixels)) * workScale), (int)Math.Round((h.Emergence.Y + (dy * lengthFullPixels)) * workScale));
            Cv2.Line(excluded, a, b, Scalar.All(255), thickness, LineTypes.Link8);
        }
    }

    private static int MedianDarkness(ReadOnlySpan<SkinSample> first, ReadOnlySpan<SkinSample> second)
    {
        int count = first.Length + second.Length;
        if (count == 0)
        {
            return 0;
        }

        var hist = new int[256];
        foreach (var s in first)
        {
            hist[s.Darkness]++;
        }

        foreach (var s in second)
        {
            hist[s.Darkness]++;
        }

        int half = count / 2, acc = 0;
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

    /// <summary>Appends the colours of the samples within the darkness cut at <paramref name="count"/>; returns the new count.</summary>
    private static int AddSkin(ReadOnlySpan<SkinSample> samples, int darkCut, LabColour[] skin, int count)
    {
        foreach (var s in samples)
        {
            if (s.Darkness <= darkCut)
            {
                skin[count++] = s.Lab;
            }
        }

        return count;
    }

    /// <summary>Per-channel medians of the colours, each selected in <paramref name="buffer"/>.</summary>
    private static LabColour ChannelMedians(ReadOnlySpan<LabColour> colours, double[] buffer)
    {
        var n = colours.Length;
        for (var i = 0; i < n; i++)
        {
            buffer[i] = colours[i].L;
        }

        var l = Median(buffer.AsSpan(0, n));
        for (var i = 0; i < n; i++)
        {
            buffer[i] = colours[i].A;
        }

        var a = Median(buffer.AsSpan(0, n));
        for (var i = 0; i < n; i++)
        {
            buffer[i] = colours[i].B;
        }

        return new LabColour(l, a, Median(buffer.AsSpan(0, n)));
    }

    /// <summary>
    /// Per-channel median of the skin samples after dropping, in a few rounds, the samples far
    /// from the current median colour (<see cref="ColourOptions.SkinOutlierDistanceFactor"/>):
    /// a symmetric trim around the dominant skin colour, so light minorities (flakes, sheen) no
    /// longer pull the median. The samples are reordered (kept first), not changed in content.
    /// </summary>
    private static LabColour RobustSkinCentre(Span<LabColour> samples, double[] buffer, ColourOptions o)
    {
        var centre = ChannelMedians(samples, buffer);
        if (o.SkinOutlierDistanceFactor <= 0)
        {
            return centre;
        }

        var n = samples.Length;
        for (var round = 0; round < o.SkinTrimRounds; round++)
        {
            for (var i = 0; i < n; i++)
            {
                buffer[i] = Distance(samples[i], centre);
            }

            var cut = o.SkinOutlierDistanceFactor * Median(buffer.AsSpan(0, n));
            // Kept samples to the front (a stable order is not needed: medians ignore order).
            var kept = 0;
            for (var i = 0; i < n; i++)
            {
                if (Distance(samples[i], centre) <= cut)
                {
                    (samples[kept], samples[i]) = (samples[i], samples[kept]);
                    kept++;
                }
            }

            if (kept == 0)
            {
                break;
            }

            n = kept;
            centre = ChannelMedians(samples[..n], buffer);
        }

        return centre;
    }

    private static double Distance(LabColour c, LabColour centre) =>
        Math.Sqrt(((c.L - centre.L) * (c.L - centre.L)) + ((c.A - centre.A) * (c.A - centre.A)) + ((c.B - centre.B) * (c.B - centre.B)));

    private static double Median(Span<double> v)
    {
        int c = v.Length;
        double upper = OrderStatistics.Select(v, c / 2);
        return c % 2 == 1 ? upper : 0.5 * (OrderStatistics.Max<double>(v[..(c / 2)]) + upper);
    }
}
