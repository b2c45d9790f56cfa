using System.Runtime.CompilerServices;
using OpenCvSharp;

namespace SmpVision.Pipeline.Segmentation;

/// <summary>Kinds of pixels the field mask removed, as pixel counts of the analysed frame.</summary>
/// <param name="FlatOverlayPixels">Burned-in text boxes and flat grey bands (info bar, bottom band, scale-bar label).</param>
/// <param name="ThinLinePixels">Thin straight drawn lines (scale-bar arms).</param>
/// <param name="RedOverlayPixels">Drawn red circles or marks.</param>
/// <param name="RimPixels">Dark rim of a round dermoscope field.</param>
/// <param name="AnalysablePixels">Pixels left for analysis.</param>
public sealed record FieldMaskSummary(
    int FlatOverlayPixels,
    int ThinLinePixels,
    int RedOverlayPixels,
    int RimPixels,
    int AnalysablePixels);

/// <summary>A horizontal thin drawn line, e.g. the arm of a "1.0 mm" scale bar.</summary>
/// <param name="X0Pixels">Left end.</param>
/// <param name="X1Pixels">Right end (inclusive).</param>
/// <param name="YPixels">Row of the line's centre.</param>
/// <param name="ThicknessPixels">Line thickness.</param>
public sealed record HorizontalLineSegment(int X0Pixels, int X1Pixels, double YPixels, int ThicknessPixels)
{
    /// <summary>Length from end to end, in pixels.</summary>
    public int LengthPixels => X1Pixels - X0Pixels + 1;
}

/// <summary>A vertical thin drawn line, e.g. the upright arm of an L-shaped scale bar.</summary>
/// <param name="XPixels">Column of the line's centre.</param>
/// <param name="Y0Pixels">Top end.</param>
/// <param name="Y1Pixels">Bottom end (inclusive).</param>
public sealed record VerticalLineSegment(double XPixels, int Y0Pixels, int Y1Pixels)
{
    /// <summary>Length from end to end, in pixels.</summary>
    public int LengthPixels => Y1Pixels - Y0Pixels + 1;
}

/// <summary>Output of <see cref="FieldMasker"/>. Owns <see cref="AnalysableMask"/>.</summary>
internal sealed class FieldMask : IDisposable
{
    public FieldMask(Mat analysable, FieldMaskSummary summary, IReadOnlyList<HorizontalLineSegment> lines, IReadOnlyList<VerticalLineSegment> verticalLines, IReadOnlyList<Rect> flatBoxes)
    {
        VerticalLines = verticalLines;
        AnalysableMask = analysable;
        Summary = summary;
        HorizontalLines = lines;
        FlatBoxes = flatBoxes;
    }

    /// <summary>8UC1, 255 = scalp pixel that may be analysed.</summary>
    public Mat AnalysableMask { get; }

    public FieldMaskSummary Summary { get; }

    /// <summary>Thin horizontal drawn lines found (scale-bar candidates).</summary>
    public IReadOnlyList<HorizontalLineSegment> HorizontalLines { get; }

    /// <summary>Thin vertical drawn lines found (scale-bar arms).</summary>
    public IReadOnlyList<VerticalLineSegment> VerticalLines { get; }

    /// <summary>Flat achromatic boxes found (text labels, bands).</summary>
    public IReadOnlyList<Rect> FlatBoxes { get; }

    public void Dispose() => AnalysableMask.Dispose();
}

/// <summary>
/// Overlay and field masking for trichoscopy frames. Finds pixels that are not scalp and must
/// count neither as hair nor as scalp area: flat achromatic burned-in boxes and bands (info bar,
/// grey band, scale-bar label), thin straight dark lines (scale-bar arms), drawn red circles and the
/// dark rim of a round dermoscope field (overlay kinds: shared/data/README.md). Measures the pixel
/// count of each kind. Pure: the input is not modified.
/// </summary>
internal static class FieldMasker
{
    public static FieldMask Compute(Mat bgr, FieldMaskOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(bgr);
        ArgumentNullException.ThrowIfNull(options);
        int w = bgr.Cols, h = bgr.Rows;
        // Per-pixel max channel, channel spread and red excess as whole-image SIMD operations
        // (split, max, min, saturating subtract): the managed per-pixel loop they replace cost
        // ~7 ms of a 1280x1024 frame, these ~1 ms; the values are the same integers.
        using var maxC = new Mat();
        using var spread = new Mat();
        using var redExcess = new Mat();
        ChannelStatistics(bgr, maxC, spread, redExcess, options.RedOverlayMinExcess);
        ct.ThrowIfCancellationRequested();
        using var flat = new Mat(h, w, MatType.CV_8UC1, Scalar.All(0));
        var flatBoxes = FindFlatBoxes(maxC, spread, flat, options);

        ct.ThrowIfCancellationRequested();
        using var lines = new Mat();
        var (hLines, vLines) = FindThinLines(maxC, lines, options);

        // Most frames carry no red mark, rim or drawn line: their full-frame dilations, copies and
        // unions are skipped when the mask is empty (an empty mask dilates to an empty mask, and
        // adds nothing to the union), so the masks and counts are the same.
        using var red = new Mat();
        var redPixels = 0;
        if (Cv2.CountNonZero(redExcess) > 0)
        {
            using (var k = Cv2.GetStructuringElement(MorphShapes.Rect, new Size((2 * options.OverlayPaddingPixels) + 1, (2 * options.OverlayPaddingPixels) + 1)))
            {
                Cv2.Dilate(redExcess, red, k);
            }

            redPixels = Cv2.CountNonZero(red);
        }

        ct.ThrowIfCancellationRequested();
        using var rim = new Mat();
        var rimPixels = FindRim(maxC, rim, options);

        var flatPixels = Cv2.CountNonZero(flat);
        var linePixels = lines.Empty() ? 0 : Cv2.CountNonZero(lines);
        var analysable = new Mat();
        using (var off = flat.Clone())
        {
            if (linePixels > 0)
            {
                Cv2.BitwiseOr(off, lines, off);
            }

            if (redPixels > 0)
            {
                Cv2.BitwiseOr(off, red, off);
            }

            if (rimPixels > 0)
            {
                Cv2.BitwiseOr(off, rim, off);
            }

            Cv2.BitwiseNot(off, analysable);
        }

        var summary = new FieldMaskSummary(
            flatPixels,
            linePixels,
            redPixels,
            rimPixels,
            Cv2.CountNonZero(analysable));
        return new FieldMask(analysable, summary, hLines, vLines, flatBoxes);
    }

    /// <summary>
    /// Max channel, spread (max - min channel) and the red-overlay mask (255 where
    /// R - max(G, B) &gt;= <paramref name="redMinExcess"/>, which is at least 1, so the saturating
    /// subtraction that clips negative excess to 0 gives the same mask).
    /// </summary>
    private static void ChannelStatistics(Mat bgr, Mat maxC, Mat spread, Mat redMask, int redMinExcess)
    {
        var ch = Cv2.Split(bgr);
        try
        {
            using var maxBg = new Mat();
            Cv2.Max(ch[0], ch[1], maxBg);
            Cv2.Max(maxBg, ch[2], maxC);
            using var minC = new Mat();
            Cv2.Min(ch[0], ch[1], minC);
            Cv2.Min(minC, ch[2], minC);
            Cv2.Subtract(maxC, minC, spread);
            using var excess = new Mat();
            Cv2.Subtract(ch[2], maxBg, excess);
            Cv2.InRange(excess, Scalar.All(redMinExcess), Scalar.All(255), redMask);
        }
        finally
        {
            foreach (var c in ch)
            {
                c.Dispose();
            }
        }
    }

    /// <summary>
    /// Burned-in text boxes (uniform dark-grey rectangles carrying white glyphs: info bar, scale
    /// label) and uniform achromatic bands along the top or bottom border.
    /// </summary>
    private static List<Rect> FindFlatBoxes(Mat maxC, Mat spread, Mat flatOut, FieldMaskOptions o)
    {
        int w = maxC.Cols, h = maxC.Rows;
        var boxes = new List<Rect>();
        int p = o.OverlayPaddingPixels;
        var frame = new Rect(0, 0, w, h);

        // Bands: rows from a border that are achromatic and constant (drawn, not photographed).
        foreach (bool fromTop in new[] { true, false })
        {
            int rowsInBand = 0;
            for (int i = 0; i < h / 4; i++)
            {
                int y = fromTop ? i : h - 1 - i;
                if (!IsBandRow(maxC, spread, y, o))
                {
                    break;
                }

                rowsInBand++;
            }

            if (rowsInBand > 0)
            {
                var band = fromTop ? new Rect(0, 0, w, rowsInBand + p) : new Rect(0, h - rowsInBand - p, w, rowsInBand + p);
                band = band.Intersect(frame);
                boxes.Add(band);
                Cv2.Rectangle(flatOut, band, Scalar.All(255), -1);
            }
        }

        // Text boxes: white glyph pixels touching flat dark-grey achromatic box pixels, grouped into
        // lines of text; the box is the group's rectangle plus a margin.
        // Box grey: achromatic and mid-dark; text: bright and nearly achromatic. Inclusive range
        // tests as whole-image operations (the per-pixel loop they replace cost ~4 ms per frame).
        using var boxGrey = new Mat();
        using var text = new Mat();
        using (var achromatic = new Mat())
        {
            Cv2.InRange(spread, Scalar.All(0), Scalar.All(o.BoxMaxSpread), achromatic);
            Cv2.InRange(maxC, Scalar.All(o.BoxGreyMin), Scalar.All(o.BoxGreyMax), boxGrey);
            Cv2.BitwiseAnd(boxGrey, achromatic, boxGrey);
            Cv2.InRange(spread, Scalar.All(0), Scalar.All(3 * o.AchromaticMaxSpread), achromatic);
            Cv2.InRange(maxC, Scalar.All(o.TextMinValue), Scalar.All(255), text);
            Cv2.BitwiseAnd(text, achromatic, text);
        }

        // No bright glyph pixel (most frames): no text box, and the dilations below are skipped.
        if (Cv2.CountNonZero(text) == 0)
        {
            return boxes;
        }

        using var seeds = new Mat();
        using (var k = Cv2.GetStructuringElement(MorphShapes.Rect, new Size(5, 5)))
        {
            Cv2.Dilate(boxGrey, seeds, k);
        }

        Cv2.BitwiseAnd(seeds, text, seeds);
        using var groups = new Mat();
        using (var k = Cv2.GetStructuringElement(MorphShapes.Rect, new Size(25, 13)))
        {
            Cv2.Dilate(seeds, groups, k);
        }

        using var stats = new Mat();
        using var cents = new Mat();
        int n = ComponentsWithStats(groups, stats, cents);
        for (int i = 1; i < n; i++)
        {
            var r = new Rect(
                stats.At<int>(i, (int)ConnectedComponentsTypes.Left),
                stats.At<int>(i, (int)ConnectedComponentsTypes.Top),
                stats.At<int>(i, (int)ConnectedComponentsTypes.Width),
                stats.At<int>(i, (int)ConnectedComponentsTypes.Height));
            if (r.Height < o.BoxMinHeightPixels || r.Height > o.BoxMaxHeightPixels)
            {
                continue;
            }

            using var seedRoi = new Mat(seeds, r);
            using var greyRoi = new Mat(boxGrey, r);
            double area = r.Width * r.Height;
            // A line of text on a box: many glyph pixels, and the box grey behind them.
            if (Cv2.CountNonZero(seedRoi) < o.BoxMinTextFraction * area || Cv2.CountNonZero(greyRoi) < o.BoxMinGreyFraction * area)
            {
                continue;
            }

            int m = p + o.BoxMarginPixels;
            var padded = new Rect(r.X - m, r.Y - m, r.Width + (2 * m), r.Height + (2 * m)).Intersect(frame);
            padded = TrimToGrey(boxGrey, padded, p, frame);
            boxes.Add(padded);
            Cv2.Rectangle(flatOut, padded, Scalar.All(255), -1);
        }

        // Several text boxes side by side along the top or bottom edge form an info bar: mask the
        // whole strip, since its other fields may carry coloured text the glyph test misses.
        foreach (bool top in new[] { true, false })
        {
            // Only boxes reaching the border (after the padding): a scale-bar label near the bottom
            // edge beside a text box on a bottom band must not turn the whole bottom into a strip.
            var edge = boxes.Where(b => top ? b.Top <= p : b.Bottom >= h - p).Where(b => b.Width < w).ToList();
            if (edge.Count >= 2)
            {
                var strip = top ? new Rect(0, 0, w, edge.Max(b => b.Bottom)) : new Rect(0, edge.Min(b => b.Top), w, h - edge.Min(b => b.Top));
                // Within the strip only the columns that are mostly box grey (the fields whose text
                // the glyph test missed): the gaps between semi-transparent boxes are scalp.
                foreach (var run in GreyColumnRuns(boxGrey, strip, p))
                {
                    boxes.Add(run);
                    Cv2.Rectangle(flatOut, run, Scalar.All(255), -1);
                }
            }
        }

        return boxes;
    }

    /// <summary>
    /// Shrinks a padded text-box rectangle to the rows and columns that are mostly box grey, plus
    /// <paramref name="padding"/>: the glyph grouping and margin overshoot the box, and on a
    /// semi-transparent box the overshoot would hide the scalp (and hairs) around it. Keeps the
    /// rectangle when no row or column is mostly grey.
    /// </summary>
    private static Rect TrimToGrey(Mat boxGrey, Rect r, int padding, Rect frame)
    {
        if (r.Width <= 0 || r.Height <= 0)
        {
            return r;
        }

        using var roi = new Mat(boxGrey, r);
        using var rowSums = new Mat();
        using var colSums = new Mat();
        Cv2.Reduce(roi, rowSums, ReduceDimension.Column, ReduceTypes.Avg, MatType.CV_32F);
        Cv2.Reduce(roi, colSums, ReduceDimension.Row, ReduceTypes.Avg, MatType.CV_32F);
        int y0 = -1, y1 = -1, x0 = -1, x1 = -1;
        for (int y = 0; y < r.Height; y++)
        {
            if (rowSums.At<float>(y, 0) >= 127.5f)
            {
                y0 = y0 < 0 ? y : y0;
                y1 = y;
            }
        }

        for (int x = 0; x < r.Width; x++)
        {
            if (colSums.At<float>(0, x) >= 127.5f)
            {
                x0 = x0 < 0 ? x : x0;
                x1 = x;
            }
        }

        if (y0 < 0 || x0 < 0)
        {
            return r;
        }

        return new Rect(r.X + x0 - padding, r.Y + y0 - padding, x1 - x0 + 1 + (2 * padding), y1 - y0 + 1 + (2 * padding)).Intersect(frame);
    }

    /// <summary>
    /// Runs of columns of <paramref name="strip"/> that are mostly box grey, each widened by
    /// <paramref name="padding"/>, as rectangles of the strip's height. Gaps narrower than the
    /// strip is tall (columns through coloured glyphs, which are not grey) are bridged, and a run
    /// within three strip heights of the frame's side is taken to it: the first field of an info
    /// bar often carries a short coloured ID on a darker box that neither test sees (dev frames).
    /// </summary>
    private static List<Rect> GreyColumnRuns(Mat boxGrey, Rect strip, int padding)
    {
        var spans = new List<(int X0, int X1)>();
        using var roi = new Mat(boxGrey, strip);
        using var colMeans = new Mat();
        Cv2.Reduce(roi, colMeans, ReduceDimension.Row, ReduceTypes.Avg, MatType.CV_32F);
        int start = -1, bridge = strip.Height, toSide = 3 * strip.Height;
        for (int x = 0; x <= strip.Width; x++)
        {
            bool grey = x < strip.Width && colMeans.At<float>(0, x) >= 127.5f;
            if (grey && start < 0)
            {
                start = x;
            }
            else if (!grey && start >= 0)
            {
                if (spans.Count > 0 && start - spans[^1].X1 <= bridge)
                {
                    spans[^1] = (spans[^1].X0, x);
                }
                else
                {
                    spans.Add((start <= toSide ? 0 : start, x));
                }

                start = -1;
            }
        }

        var runs = new List<Rect>();
        foreach (var (s0, s1) in spans)
        {
            int x0 = Math.Max(0, s0 - padding), x1 = strip.Width - s1 <= toSide ? strip.Width : Math.Min(strip.Width, s1 + padding);
            runs.Add(new Rect(strip.X + x0, strip.Y, x1 - x0, strip.Height));
        }

        return runs;
    }

    private static unsafe bool IsBandRow(Mat maxC, Mat spread, int y, FieldMaskOptions o)
    {
        byte* pm = MatPixels.Row(maxC, y);
        byte* ps = MatPixels.Row(spread, y);
        int w = maxC.Cols;
        long sum = 0, sumSq = 0, achro = 0;
        for (int x = 0; x < w; x++)
        {
            sum += pm[x];
            sumSq += pm[x] * pm[x];
            if (ps[x] <= o.AchromaticMaxSpread)
            {
                achro++;
            }
        }

        double mean = (double)sum / w;
        double sd = Math.Sqrt(Math.Max(0, ((double)sumSq / w) - (mean * mean)));
        return sd <= o.BandMaxStdDev && achro >= 0.95 * w;
    }

    /// <summary>Thin, long, straight, dark horizontal and vertical lines (scale-bar arms).
    /// <paramref name="linesOut"/> is left empty (no pixels allocated) when there are none.</summary>
    private static (List<HorizontalLineSegment> Horizontal, List<VerticalLineSegment> Vertical) FindThinLines(Mat maxC, Mat linesOut, FieldMaskOptions o)
    {
        using var dark = new Mat();
        Cv2.Threshold(maxC, dark, o.ThinLineMaxValue, 255, ThresholdTypes.BinaryInv);
        // Thin: darker than the closing that fills any feature as thick as a line (a
        // black-hat), not "dark and not inside a thick dark region": on dark or mottled skin the
        // dark threshold takes in skin beside the line, the region reads as thick, and the opening
        // removed the line with it (tri8: scale bars unmasked on noisy mixed frames).
        using var thin = new Mat();
        // Just wider than a line with its anti-aliased edges: a wider closing also fills
        // intermediate hairs (8-10 px) and reads their long straight stretches as lines.
        int t = o.ThinLineMaxThicknessPixels + 3;
        using (var k = Cv2.GetStructuringElement(MorphShapes.Rect, new Size(t, t)))
        {
            Cv2.MorphologyEx(maxC, thin, MorphTypes.BlackHat, k);
        }

        Cv2.Threshold(thin, thin, o.ThinLineMinContrast - 1, 255, ThresholdTypes.Binary);
        Cv2.BitwiseAnd(thin, dark, thin);
        using var hor = new Mat();
        using var ver = new Mat();
        LongRuns(thin, hor, ver, o.ThinLineMinLengthPixels);

        var segments = new List<HorizontalLineSegment>();
        using (var stats = new Mat())
        using (var cents = new Mat())
        {
            int n = ComponentsWithStats(hor, stats, cents);
            for (int i = 1; i < n; i++)
            {
                int left = stats.At<int>(i, (int)ConnectedComponentsTypes.Left);
                int width = stats.At<int>(i, (int)ConnectedComponentsTypes.Width);
                int height = stats.At<int>(i, (int)ConnectedComponentsTypes.Height);
                if (height > o.ThinLineMaxThicknessPixels + 2)
                {
                    continue;
                }

                segments.Add(new HorizontalLineSegment(left, left + width - 1, cents.At<double>(i, 1), height));
            }
        }

        var vertical = new List<VerticalLineSegment>();
        using (var stats = new Mat())
        using (var cents = new Mat())
        {
            int n = ComponentsWithStats(ver, stats, cents);
            for (int i = 1; i < n; i++)
            {
                int top = stats.At<int>(i, (int)ConnectedComponentsTypes.Top);
                int width = stats.At<int>(i, (int)ConnectedComponentsTypes.Width);
                int height = stats.At<int>(i, (int)ConnectedComponentsTypes.Height);
                if (width <= o.ThinLineMaxThicknessPixels + 2)
                {
                    vertical.Add(new VerticalLineSegment(cents.At<double>(i, 0), top, top + height - 1));
                }
            }
        }

        if (segments.Count == 0 && vertical.Count == 0 && Cv2.CountNonZero(hor) == 0 && Cv2.CountNonZero(ver) == 0)
        {
            return (segments, vertical); // linesOut stays empty: no line pixels
        }

        Cv2.BitwiseOr(hor, ver, linesOut);
        int d = (2 * o.OverlayPaddingPixels) + 1;
        using (var k = Cv2.GetStructuringElement(MorphShapes.Rect, new Size(d, d)))
        {
            Cv2.Dilate(linesOut, linesOut, k);
        }

        return (segments, vertical);
    }

    /// <summary>
    /// Horizontal and vertical runs of set pixels at least <paramref name="minLength"/> long: the
    /// same result as openings with 1 x L and L x 1 lines, in one pass instead of O(L) per pixel.
    /// Vertical runs are the horizontal runs of the transposed mask, so both directions use the
    /// vectorised zero-run skipping of the row scan (thin-line masks are nearly empty).
    /// </summary>
    private static void LongRuns(Mat mask, Mat horOut, Mat verOut, int minLength)
    {
        HorizontalRuns(mask, horOut, minLength);
        using var transposed = new Mat();
        Cv2.Transpose(mask, transposed);
        using var verTransposed = new Mat();
        HorizontalRuns(transposed, verTransposed, minLength);
        Cv2.Transpose(verTransposed, verOut);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void HorizontalRuns(Mat mask, Mat runsOut, int minLength)
    {
        int h = mask.Rows, w = mask.Cols;
        runsOut.Create(h, w, MatType.CV_8UC1);
        runsOut.SetTo(Scalar.All(0));
        byte* maskData = (byte*)mask.Data;
        byte* outData = (byte*)runsOut.Data;
        long maskStep = mask.Step(), outStep = runsOut.Step();
        for (int y = 0; y < h; y++)
        {
            var row = new ReadOnlySpan<byte>(maskData + (y * maskStep), w);
            int x = 0;
            while (x < w)
            {
                int start = row[x..].IndexOfAnyExcept((byte)0);
                if (start < 0)
                {
                    break;
                }

                x += start;
                int length = row[x..].IndexOf((byte)0);
                length = length < 0 ? w - x : length;
                if (length >= minLength)
                {
                    new Span<byte>(outData + (y * outStep) + x, length).Fill(255);
                }

                x += length;
            }
        }
    }

    /// <summary>
    /// 8-connected components with stats and centroids in full-frame coordinates, labelled only
    /// inside the bounding box of the mask's pixels: overlay masks are mostly empty, and labelling
    /// the whole frame cost more than the rest of the masking. The box starts on even coordinates
    /// so the labeller's 2x2 blocks, and with them the label order, match a whole-frame run.
    /// </summary>
    private static int ComponentsWithStats(Mat mask, Mat stats, Mat cents)
    {
        var box = Cv2.BoundingRect(mask);
        if (box.Width == 0 || box.Height == 0)
        {
            return 1;
        }

        int x0 = box.X & ~1, y0 = box.Y & ~1;
        box = new Rect(x0, y0, box.Right - x0, box.Bottom - y0);
        using var roi = new Mat(mask, box);
        using var labels = new Mat();
        int n = Cv2.ConnectedComponentsWithStats(roi, labels, stats, cents, PixelConnectivity.Connectivity8);
        using (var left = stats.Col((int)ConnectedComponentsTypes.Left))
        {
            Cv2.Add(left, new Scalar(x0), left);
        }

        using (var top = stats.Col((int)ConnectedComponentsTypes.Top))
        {
            Cv2.Add(top, new Scalar(y0), top);
        }

        using (var cx = cents.Col(0))
        {
            Cv2.Add(cx, new Scalar(x0), cx);
        }

        using (var cy = cents.Col(1))
        {
            Cv2.Add(cy, new Scalar(y0), cy);
        }

        return n;
    }

    /// <summary>Large dark regions joined to the frame border: the rim of a round dermoscope field.
    /// Returns its pixel count; <paramref name="rimOut"/> is left empty (no pixels allocated) when there is none.</summary>
    private static int FindRim(Mat maxC, Mat rimOut, FieldMaskOptions o)
    {
        int w = maxC.Cols, h = maxC.Rows;
        // The rim is broad, so a quarter-resolution search is exact enough and 16x cheaper.
        const int Factor = 4;
        using var small = new Mat();
        Cv2.Resize(maxC, small, new Size(Math.Max(1, w / Factor), Math.Max(1, h / Factor)), 0, 0, InterpolationFlags.Area);
        int sw = small.Cols, sh = small.Rows;
        using var dark = new Mat();
        Cv2.Threshold(small, dark, o.RimMaxValue, 255, ThresholdTypes.BinaryInv);
        // Opening at a width no hair shaft reaches keeps only the broad rim.
        int s = Math.Max(3, (o.RimMinWidthPixels / Factor) | 1);
        using (var k = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(s, s)))
        {
            Cv2.MorphologyEx(dark, dark, MorphTypes.Open, k);
        }

        using var rimSmall = new Mat(sh, sw, MatType.CV_8UC1, Scalar.All(0));
        using var labels = new Mat();
        using var stats = new Mat();
        using var cents = new Mat();
        int n = Cv2.ConnectedComponentsWithStats(dark, labels, stats, cents, PixelConnectivity.Connectivity8);
        for (int i = 1; i < n; i++)
        {
            int left = stats.At<int>(i, (int)ConnectedComponentsTypes.Left);
            int top = stats.At<int>(i, (int)ConnectedComponentsTypes.Top);
            int width = stats.At<int>(i, (int)ConnectedComponentsTypes.Width);
            int height = stats.At<int>(i, (int)ConnectedComponentsTypes.Height);
            bool touchesBorder = left == 0 || top == 0 || left + width == sw || top + height == sh;
            if (!touchesBorder)
            {
                continue;
            }

            using var comp = new Mat();
            Cv2.Compare(labels, Scalar.All(i), comp, CmpTypes.EQ);
            Cv2.BitwiseOr(rimSmall, comp, rimSmall);
        }

        if (Cv2.CountNonZero(rimSmall) == 0)
        {
            return 0;
        }

        Cv2.Resize(rimSmall, rimOut, new Size(w, h), 0, 0, InterpolationFlags.Nearest);
        int d = (2 * (o.OverlayPaddingPixels + Factor)) + 1;
        using (var k = Cv2.GetStructuringElement(MorphShapes.Rect, new Size(d, d)))
        {
            Cv2.Dilate(rimOut, rimOut, k);
        }

        return Cv2.CountNonZero(rimOut);
    }
}
