using System.Globalization;
using OpenCvSharp;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.Model;
using SmpVision.Pipeline.Regions;

namespace SmpVision.Pipeline.Planning;

/// <summary>
/// The preview a physician reads: region outlines, the treatment boundary and hairline, dots
/// coloured per session (the current session ringed), and a legend with the target density per
/// region class, the reference, the pigment and how many dots are drawn. When the plan has
/// thousands of dots only an even sample is drawn (every k-th, so the pattern stays legible) and
/// the legend says so, with the density the sample stands for.
/// </summary>
internal static class PlanPreview
{
    /// <summary>Most dots drawn; beyond it every k-th is drawn (legibility, project choice).</summary>
    internal const int MaxDrawnDots = 2500;

    /// <summary>Session colours (BGR): blue, orange, magenta, green, then repeating.</summary>
    private static readonly Scalar[] SessionColours =
    [
        new(200, 90, 20), new(0, 140, 255), new(200, 40, 200), new(60, 170, 60), new(40, 40, 220),
    ];

    private static readonly Scalar BoundaryColour = new(255, 255, 0);
    private static readonly Scalar HairlineColour = new(0, 230, 255);

    internal static Scalar ColourOfSession(int session) => SessionColours[(session - 1) % SessionColours.Length];

    internal static byte[] Render(ScalpImage image, RegionMap map, SmpPlan plan, int upto, IReadOnlyList<PolygonPixels>? boundary, IReadOnlyList<PointPixels>? hairline)
    {
        using var canvas = image.Bgr.Clone();
        var thickness = Math.Max(2, image.WidthPixels / 400);
        foreach (var cls in new[] { RegionClass.Thinning, RegionClass.Hairless, RegionClass.Scar })
        {
            using var mask = new Mat();
            Cv2.Compare(map.Labels, (double)(byte)cls, mask, CmpTypes.EQ);
            Cv2.FindContours(mask, out var contours, out _, RetrievalModes.List, ContourApproximationModes.ApproxSimple);
            Cv2.DrawContours(canvas, contours, -1, RegionDrawing.ColourOf(cls), Math.Max(1, thickness / 2));
        }

        foreach (var polygon in boundary ?? [])
        {
            Cv2.Polylines(canvas, [ToPoints(polygon.Vertices)], true, BoundaryColour, thickness, LineTypes.AntiAlias);
        }

        if (hairline is { Count: >= 2 })
        {
            Cv2.Polylines(canvas, [ToPoints(hairline)], false, HairlineColour, thickness + 1, LineTypes.AntiAlias);
        }

        var shown = plan.Dots.Where(d => d.Session <= upto).ToList();
        int stride = Math.Max(1, (int)Math.Ceiling(shown.Count / (double)MaxDrawnDots));
        var radius = plan.PixelsPerMillimetre is { } ppm ? Math.Max(2, (int)Math.Round(plan.Pigment.BodyNeedleMillimetres * ppm / 2)) : 2;
        // Sampled dots are drawn larger: each stands for `stride` dots.
        radius = Math.Max(radius, stride > 1 ? Math.Max(3, image.WidthPixels / 300) : radius);
        for (int i = 0; i < shown.Count; i += stride)
        {
            var dot = shown[i];
            var c = new Point((int)Math.Round(dot.Position.X), (int)Math.Round(dot.Position.Y));
            Cv2.Circle(canvas, c, radius, ColourOfSession(dot.Session), -1, LineTypes.AntiAlias);
            if (dot.Session == upto)
            {
                Cv2.Circle(canvas, c, radius + 1, Scalar.White, 1, LineTypes.AntiAlias);
            }
        }

        DrawLegend(canvas, Legend(plan, upto, shown.Count, stride, boundary is { Count: > 0 }, hairline is { Count: >= 2 }));
        return canvas.ImEncode(".png");
    }

    /// <summary>Legend lines with their swatch colour (null: text only).</summary>
    internal static List<(string Text, Scalar? Swatch)> Legend(SmpPlan plan, int upto, int shownDots, int stride, bool boundary, bool hairline)
    {
        var inv = CultureInfo.InvariantCulture;
        var lines = new List<(string, Scalar?)>
        {
            (string.Create(inv, $"session {upto}/{plan.SessionCount}  ref {plan.Reference.FollicularUnitsPerSquareCentimetre:F0} FU/cm2 ({plan.Reference.Source})  dilution {plan.Pigment.DilutionLevel}/5, needle {plan.Pigment.BodyNeedleMillimetres:F2} mm"), null),
        };
        foreach (var group in plan.Regions.Where(r => r.Pigmented).GroupBy(r => r.Class))
        {
            double lo = group.Min(r => r.TargetDotsPerSquareCentimetre), hi = group.Max(r => r.TargetDotsPerSquareCentimetre);
            var edge = group.Select(r => r.HairlineEdgeDotsPerSquareCentimetre).FirstOrDefault(v => v is not null);
            string range = Math.Abs(hi - lo) < 0.5 ? string.Create(inv, $"{hi:F0}") : string.Create(inv, $"{lo:F0}-{hi:F0}");
            string edgeText = edge is { } e ? string.Create(inv, $", hairline edge {e:F0}") : "";
            lines.Add(($"{RegionMap.Legend.First(l => l.Class == group.Key).Name}: target {range} dots/cm2{edgeText}", RegionDrawing.ColourOf(group.Key)));
        }

        for (int s = 1; s <= plan.SessionCount; s++)
        {
            int count = plan.Dots.Count(d => d.Session == s);
            string state = s < upto ? "done" : s == upto ? "this session (ringed)" : "later, not drawn";
            lines.Add((string.Create(inv, $"session {s}: {count} dots, {state}"), ColourOfSession(s)));
        }

        if (stride > 1)
        {
            lines.Add((string.Create(inv, $"{shownDots} dots: 1 in {stride} drawn; the drawn dots are {stride}x sparser than planned"), null));
        }
        else if (plan.Dots.Count == 0)
        {
            lines.Add((plan.PixelsPerMillimetre is null ? "no scale: densities only, no dot positions" : "no dots planned", null));
        }

        if (boundary)
        {
            lines.Add(("treatment boundary", BoundaryColour));
        }

        if (hairline)
        {
            lines.Add(("hairline (feathering starts here)", HairlineColour));
        }

        return lines;
    }

    /// <summary>Draws the legend top-left on a band darkened to 15% so it reads over any skin tone.</summary>
    private static void DrawLegend(Mat canvas, List<(string Text, Scalar? Swatch)> lines)
    {
        double scale = Math.Max(0.4, canvas.Cols / 1400.0);
        int weight = (int)Math.Max(1, 1.4 * scale);
        var sizes = lines.Select(l => Cv2.GetTextSize(l.Text, HersheyFonts.HersheySimplex, scale, weight, out _)).ToList();
        int lineHeight = sizes.Max(s => s.Height) + (int)(10 * scale) + 2;
        int swatch = lineHeight - 6;
        int width = Math.Min(canvas.Cols, sizes.Max(s => s.Width) + swatch + 24);
        int height = Math.Min(canvas.Rows, (lineHeight * lines.Count) + 10);
        using (var roi = canvas[new Rect(0, 0, width, height)])
        {
            Cv2.AddWeighted(roi, 0.15, roi, 0, 0, roi);
        }

        for (int i = 0; i < lines.Count; i++)
        {
            int y = 6 + (i * lineHeight);
            int x = 8;
            if (lines[i].Swatch is { } colour)
            {
                Cv2.Rectangle(canvas, new Rect(x, y + 2, swatch, swatch), colour, -1);
            }

            Cv2.PutText(canvas, lines[i].Text, new Point(x + swatch + 8, y + lineHeight - 8), HersheyFonts.HersheySimplex, scale, Scalar.White, weight, LineTypes.AntiAlias);
        }
    }

    private static Point[] ToPoints(IReadOnlyList<PointPixels> vertices) =>
        vertices.Select(v => new Point((int)Math.Round(v.X), (int)Math.Round(v.Y))).ToArray();
}
