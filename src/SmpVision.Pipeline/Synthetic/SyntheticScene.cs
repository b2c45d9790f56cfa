using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Synthetic;

/// <summary>Geometry of the burned-in overlays, drawn from the seed before any hair is placed.</summary>
internal sealed record OverlayGeometry(
    int InfoBarHeightPixels,
    IReadOnlyList<(int X, int Width, string Text, bool Accent)> InfoBoxes,
    int GreyBandHeightPixels,
    (int X0, int Y0, int LengthPixels, int Thickness, double LengthMillimetres, string Label, int LabelX, int LabelY, int LabelWidth, int LabelHeight)? ScaleBar,
    (double CentreX, double CentreY, double RadiusPixels, int Thickness)? RedCircle,
    (double CentreX, double CentreY, double RadiusPixels, double SoftnessPixels)? Rim);

/// <summary>
/// The label map and overlay geometry of a frame. They depend only on the spec and the seed (not
/// on the hairs), so the two frames of a pair share them and a change can be counted with the
/// same rule as the truth.
/// </summary>
internal sealed class SyntheticScene
{
    internal const double InfoBarHeightFraction = 40.0 / 1024.0;
    internal const double GreyBandHeightFraction = 34.0 / 1024.0;

    /// <summary>Scale-bar lengths tried, longest first.</summary>
    private static readonly double[] ScaleBarLengthsMillimetres = [1.0, 0.5, 0.2, 0.1];

    private SyntheticScene(byte[] regionLabels, byte[] labels, OverlayGeometry overlays, IReadOnlyList<SyntheticOverlayTruth> overlayTruth, SyntheticScaleBarTruth? scaleBar, int width, int height)
    {
        RegionLabels = regionLabels;
        Labels = labels;
        Overlays = overlays;
        OverlayTruth = overlayTruth;
        ScaleBar = scaleBar;
        Width = width;
        Height = height;
    }

    /// <summary>Region classes before overlays (what the skin is, e.g. where scar tissue is painted).</summary>
    internal byte[] RegionLabels { get; }

    /// <summary>Region classes with overlays and rim as OffScalp (the truth's label map).</summary>
    internal byte[] Labels { get; }

    internal OverlayGeometry Overlays { get; }

    internal IReadOnlyList<SyntheticOverlayTruth> OverlayTruth { get; }

    internal SyntheticScaleBarTruth? ScaleBar { get; }

    internal int Width { get; }

    internal int Height { get; }

    internal RegionClass LabelAt(PointPixels p)
    {
        var x = (int)Math.Floor(p.X);
        var y = (int)Math.Floor(p.Y);
        return x < 0 || y < 0 || x >= Width || y >= Height ? RegionClass.OffScalp : (RegionClass)Labels[(y * Width) + x];
    }

    internal bool Analysable(PointPixels p) => LabelAt(p) != RegionClass.OffScalp;

    /// <summary>Labels and overlays of a frame. <paramref name="frameToRegionCoordinates"/> maps a frame
    /// point to the coordinates the region shapes are given in (the after frame of a moved pair).</summary>
    internal static SyntheticScene Create(SyntheticTrichoscopySpec spec, int seed, Func<PointPixels, PointPixels>? frameToRegionCoordinates = null)
    {
        int w = spec.WidthPixels, h = spec.HeightPixels;
        var labels = new byte[w * h];
        Array.Fill(labels, (byte)RegionClass.HairBearing);

        // Regions are rasterised with the same point test the layout uses, at pixel centres, so a
        // hair's region in the truth is exactly the region that governed its placement.
        foreach (var region in spec.Regions)
        {
            var (bx0, by0, bx1, by1) = frameToRegionCoordinates is null ? PixelBounds(region.Shape, w, h) : (0, 0, w, h);
            var value = (byte)region.LabelClass;
            for (var y = by0; y < by1; y++)
            {
                for (var x = bx0; x < bx1; x++)
                {
                    var centre = new PointPixels(x + 0.5, y + 0.5);
                    if (region.Shape.Contains(frameToRegionCoordinates is null ? centre : frameToRegionCoordinates(centre)))
                    {
                        labels[(y * w) + x] = value;
                    }
                }
            }
        }

        var regionLabels = (byte[])labels.Clone();
        var rng = SyntheticRandom.Derive(seed, "overlays");
        var truth = new List<SyntheticOverlayTruth>();
        var geometry = DrawOverlayGeometry(spec, rng, labels, truth, out var scaleBar);
        return new SyntheticScene(regionLabels, labels, geometry, truth, scaleBar, w, h);
    }

    internal static (int X0, int Y0, int X1, int Y1) PixelBounds(SyntheticShape shape, int w, int h)
    {
        double x0, y0, x1, y1;
        if (shape.Polygon is { } poly)
        {
            x0 = poly.Vertices.Min(v => v.X);
            y0 = poly.Vertices.Min(v => v.Y);
            x1 = poly.Vertices.Max(v => v.X);
            y1 = poly.Vertices.Max(v => v.Y);
        }
        else
        {
            var r = Math.Max(shape.EllipseRadiusXPixels, shape.EllipseRadiusYPixels);
            x0 = shape.EllipseCentre.X - r;
            y0 = shape.EllipseCentre.Y - r;
            x1 = shape.EllipseCentre.X + r;
            y1 = shape.EllipseCentre.Y + r;
        }

        return (Math.Clamp((int)Math.Floor(x0), 0, w), Math.Clamp((int)Math.Floor(y0), 0, h),
            Math.Clamp((int)Math.Ceiling(x1) + 1, 0, w), Math.Clamp((int)Math.Ceiling(y1) + 1, 0, h));
    }

    private static void MarkRect(byte[] labels, int w, int h, int x, int y, int rw, int rh)
    {
        for (var yy = Math.Max(0, y); yy < Math.Min(h, y + rh); yy++)
        {
            for (var xx = Math.Max(0, x); xx < Math.Min(w, x + rw); xx++)
            {
                labels[(yy * w) + xx] = (byte)RegionClass.OffScalp;
            }
        }
    }

    private static OverlayGeometry DrawOverlayGeometry(
        SyntheticTrichoscopySpec spec, SyntheticRandom rng, byte[] labels, List<SyntheticOverlayTruth> truth, out SyntheticScaleBarTruth? scaleBarTruth)
    {
        int w = spec.WidthPixels, h = spec.HeightPixels;
        var ppm = spec.PixelsPerMillimetre;
        var overlays = spec.Overlays;
        scaleBarTruth = null;

        // The rim is optical: pixels past the field-of-view circle where the rim is more than half dark.
        (double, double, double, double)? rim = null;
        if (overlays.HasFlag(SyntheticOverlays.RoundFieldRim))
        {
            var halfDiagonal = 0.5 * Math.Sqrt((double)(w * w) + (h * h));
            var cx = (w / 2.0) + rng.Uniform(-0.03, 0.03) * w;
            var cy = (h / 2.0) + rng.Uniform(-0.03, 0.03) * h;
            var radius = halfDiagonal * rng.Uniform(0.8, 0.93);
            var softness = 0.012 * w;
            rim = (cx, cy, radius, softness);
            for (var y = 0; y < h; y++)
            {
                for (var x = 0; x < w; x++)
                {
                    var dx = x + 0.5 - cx;
                    var dy = y + 0.5 - cy;
                    if ((dx * dx) + (dy * dy) >= radius * radius)
                    {
                        labels[(y * w) + x] = (byte)RegionClass.OffScalp;
                    }
                }
            }

            truth.Add(new SyntheticOverlayTruth(SyntheticOverlays.RoundFieldRim, 0, 0, w, h));
        }

        var greyBand = 0;
        if (overlays.HasFlag(SyntheticOverlays.GreyBand))
        {
            greyBand = Math.Max(4, (int)Math.Round(h * GreyBandHeightFraction));
            MarkRect(labels, w, h, 0, h - greyBand, w, greyBand);
            truth.Add(new SyntheticOverlayTruth(SyntheticOverlays.GreyBand, 0, h - greyBand, w, greyBand));
        }

        var infoHeight = 0;
        var boxes = new List<(int, int, string, bool)>();
        if (overlays.HasFlag(SyntheticOverlays.InfoBar))
        {
            infoHeight = Math.Max(8, (int)Math.Round(h * InfoBarHeightFraction));
            var date = new DateTime(2021, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(rng.NextInt(5 * 365 * 24 * 60));
            string[] texts =
            [
                $"S{rng.NextInt(1000):000}",
                $"{w}x{h}",
                date.ToString("yyyy/MM/dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
                "mm",
                "70x",
            ];
            var x = 0;
            var charWidth = infoHeight * 0.42;
            for (var i = 0; i < texts.Length; i++)
            {
                var bw = (int)Math.Round((texts[i].Length * charWidth) + (infoHeight * 0.5));
                if (x + bw > w)
                {
                    break;
                }

                boxes.Add((x, bw, texts[i], i == 0));
                x += bw + Math.Max(1, infoHeight / 12);
            }

            MarkRect(labels, w, h, 0, 0, x, infoHeight);
            truth.Add(new SyntheticOverlayTruth(SyntheticOverlays.InfoBar, 0, 0, x, infoHeight));
        }

        (int, int, int, int, double, string, int, int, int, int)? scaleBar = null;
        if (overlays.HasFlag(SyntheticOverlays.ScaleBar))
        {
            // Longest standard length whose arms fit comfortably in the frame.
            var lengthMm = ScaleBarLengthsMillimetres.FirstOrDefault(mm => mm * ppm <= 0.45 * w && mm * ppm <= 0.6 * h);
            if (lengthMm > 0)
            {
                var length = (int)Math.Round(lengthMm * ppm);
                var thickness = Math.Max(1, (int)Math.Round(w / 640.0));
                var x0 = (int)Math.Round(0.034 * w);
                var y0 = h - greyBand - (int)Math.Round(0.097 * h);
                var label = lengthMm.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " mm";
                var labelHeight = Math.Max(8, (int)Math.Round(0.036 * h));
                var labelWidth = (int)Math.Round(labelHeight * 3.4);
                var labelX = x0 + length - (int)Math.Round(0.01 * w);
                var labelY = y0 - (labelHeight / 2);
                scaleBar = (x0, y0, length, thickness, lengthMm, label, labelX, labelY, labelWidth, labelHeight);
                var pad = thickness + 3;
                var parts = new[]
                {
                    (X: x0 - pad, Y: y0 - length - pad, W: (2 * pad) + thickness, H: length + (2 * pad) + thickness),
                    (X: x0 - pad, Y: y0 - pad, W: length + (2 * pad) + thickness, H: (2 * pad) + thickness),
                    (X: labelX, Y: labelY, W: labelWidth, H: labelHeight),
                };
                foreach (var p in parts)
                {
                    MarkRect(labels, w, h, p.X, p.Y, p.W, p.H);
                }

                var left = Math.Max(0, parts.Min(p => p.X));
                var top = Math.Max(0, parts.Min(p => p.Y));
                var right = Math.Min(w, parts.Max(p => p.X + p.W));
                var bottom = Math.Min(h, parts.Max(p => p.Y + p.H));
                truth.Add(new SyntheticOverlayTruth(SyntheticOverlays.ScaleBar, left, top, right - left, bottom - top));
                scaleBarTruth = new SyntheticScaleBarTruth(new PointPixels(x0 + 0.5, y0 + 0.5), new PointPixels(x0 + length + 0.5, y0 + 0.5), length, lengthMm, label);
            }
        }

        (double, double, double, int)? circle = null;
        if (overlays.HasFlag(SyntheticOverlays.RedCircle))
        {
            var cx = rng.Uniform(0.2, 0.8) * w;
            var cy = rng.Uniform(0.2, 0.8) * h;
            var radius = rng.Uniform(0.35, 0.6) * w;
            var thickness = Math.Max(1, (int)Math.Round(w / 1280.0));
            circle = (cx, cy, radius, thickness);
            // Pixels within the stroke plus a 2-pixel guard for anti-aliasing and blur.
            var band = (thickness / 2.0) + 2.0;
            int minX = w, minY = h, maxX = -1, maxY = -1;
            for (var y = 0; y < h; y++)
            {
                for (var x = 0; x < w; x++)
                {
                    var dx = x + 0.5 - cx;
                    var dy = y + 0.5 - cy;
                    if (Math.Abs(Math.Sqrt((dx * dx) + (dy * dy)) - radius) <= band)
                    {
                        labels[(y * w) + x] = (byte)RegionClass.OffScalp;
                        minX = Math.Min(minX, x);
                        minY = Math.Min(minY, y);
                        maxX = Math.Max(maxX, x);
                        maxY = Math.Max(maxY, y);
                    }
                }
            }

            if (maxX >= 0)
            {
                truth.Add(new SyntheticOverlayTruth(SyntheticOverlays.RedCircle, minX, minY, maxX - minX + 1, maxY - minY + 1));
            }
        }

        return new OverlayGeometry(infoHeight, boxes, greyBand, scaleBar, circle, rim);
    }
}
