namespace SmpVision.Pipeline.Detection;

/// <summary>One hair read off the detector outputs, in output-grid cells.</summary>
/// <param name="CentreX">Hair centre x (the middle of its visible shaft), cells.</param>
/// <param name="CentreY">Hair centre y, cells.</param>
/// <param name="DirectionX">Unit vector along the shaft, x.</param>
/// <param name="DirectionY">Unit vector along the shaft, y.</param>
/// <param name="LengthCells">Visible shaft length: the longest segment along the direction through the centre that fits the predicted box.</param>
/// <param name="WidthCells">Shaft width: shaft probability integrated across the shaft (median of three cross-sections).</param>
/// <param name="Score">Hair-centre score of the peak, 0-1.</param>
internal readonly record struct GridHair(double CentreX, double CentreY, double DirectionX, double DirectionY, double LengthCells, double WidthCells, double Score);

/// <summary>A follicular unit read off the detector outputs: its centre (cells) and the indices of its hairs.</summary>
internal sealed record GridUnit(double CentreX, double CentreY, IReadOnlyList<int> HairIndices);

/// <summary>
/// Pure decoding of the detector outputs (no native memory): hair centres are the local maxima
/// (3 x 3) of the hair heatmap at or above the threshold, the counting rule the trainer validated
/// (tools/training/train_detector.py, count = peaks &gt;= threshold); orientation is the principal
/// axis of the shaft probability inside the predicted box; follicular units are the unit-heatmap
/// peaks, each hair joining the nearest unit centre within reach of its own half-length.
/// </summary>
internal static class HairDetectionDecoder
{
    /// <summary>Half-width of a cross-section, in cells (at 45 cells/mm: ~270 um, wider than any shaft).</summary>
    private const double CrossHalfWidthCells = 6;

    /// <summary>Decodes hairs and units.</summary>
    public static (IReadOnlyList<GridHair> Hairs, IReadOnlyList<GridUnit> Units) Decode(DetectorOutputs o, int validWidth, int validHeight, double hairThreshold, double unitThreshold)
    {
        ArgumentNullException.ThrowIfNull(o);
        var hairs = new List<GridHair>();
        foreach (var (x, y) in Peaks(o.HairCentre, o.Width, o.Height, validWidth, validHeight, hairThreshold))
        {
            hairs.Add(Measure(o, x, y));
        }

        var unitPeaks = Peaks(o.UnitCentre, o.Width, o.Height, validWidth, validHeight, unitThreshold)
            .Select(p => Refine(o.UnitCentre, o.Width, o.Height, p.X, p.Y)).ToList();
        return (hairs, GroupUnits(hairs, unitPeaks));
    }

    /// <summary>Cells at or above the threshold that no 8-neighbour exceeds, inside the unpadded area.</summary>
    internal static List<(int X, int Y)> Peaks(float[] heat, int w, int h, int validW, int validH, double threshold)
    {
        var peaks = new List<(int, int)>();
        for (int y = 0; y < validH; y++)
        {
            for (int x = 0; x < validW; x++)
            {
                float v = heat[(y * w) + x];
                if (v >= threshold && IsLocalMax(heat, w, h, x, y, v))
                {
                    peaks.Add((x, y));
                }
            }
        }

        return peaks;
    }

    private static bool IsLocalMax(float[] heat, int w, int h, int x, int y, float v)
    {
        for (int dy = -1; dy <= 1; dy++)
        {
            for (int dx = -1; dx <= 1; dx++)
            {
                int xx = x + dx, yy = y + dy;
                if ((dx != 0 || dy != 0) && xx >= 0 && yy >= 0 && xx < w && yy < h && heat[(yy * w) + xx] > v)
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>Sub-cell peak position: a parabola through the peak and its two neighbours on each axis.</summary>
    internal static (double X, double Y) Refine(float[] heat, int w, int h, int x, int y)
    {
        static double Offset(double l, double c, double r)
        {
            double d = l - (2 * c) + r;
            return d < 0 ? Math.Clamp(0.5 * (l - r) / d, -0.5, 0.5) : 0;
        }

        double ox = x > 0 && x < w - 1 ? Offset(heat[(y * w) + x - 1], heat[(y * w) + x], heat[(y * w) + x + 1]) : 0;
        double oy = y > 0 && y < h - 1 ? Offset(heat[((y - 1) * w) + x], heat[(y * w) + x], heat[((y + 1) * w) + x]) : 0;
        return (x + ox, y + oy);
    }

    private static GridHair Measure(DetectorOutputs o, int px, int py)
    {
        int i = (py * o.Width) + px;
        var (cx, cy) = Refine(o.HairCentre, o.Width, o.Height, px, py);
        double bw = Math.Exp(Math.Clamp(o.LogBoxWidth[i], -2, 6)), bh = Math.Exp(Math.Clamp(o.LogBoxHeight[i], -2, 6));
        var (dx, dy) = Orientation(o, cx, cy, bw, bh);
        double ax = Math.Abs(dx), ay = Math.Abs(dy);
        double length = Math.Min(ax > 1e-6 ? bw / ax : double.MaxValue, ay > 1e-6 ? bh / ay : double.MaxValue);
        double width = Median3(
            CrossSection(o, cx, cy, dx, dy),
            CrossSection(o, cx + (0.25 * length * dx), cy + (0.25 * length * dy), dx, dy),
            CrossSection(o, cx - (0.25 * length * dx), cy - (0.25 * length * dy), dx, dy));
        return new GridHair(cx, cy, dx, dy, length, width, o.HairCentre[i]);
    }

    /// <summary>
    /// Principal axis of the shaft probability inside the box; where the box holds too little
    /// shaft, the box diagonal whose sign the shaft's covariance picks (a box alone cannot tell \ from /).
    /// </summary>
    private static (double X, double Y) Orientation(DetectorOutputs o, double cx, double cy, double bw, double bh)
    {
        int x0 = Math.Max(0, (int)Math.Floor(cx - (bw / 2))), x1 = Math.Min(o.Width - 1, (int)Math.Ceiling(cx + (bw / 2)));
        int y0 = Math.Max(0, (int)Math.Floor(cy - (bh / 2))), y1 = Math.Min(o.Height - 1, (int)Math.Ceiling(cy + (bh / 2)));
        double m = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
        for (int y = y0; y <= y1; y++)
        {
            for (int x = x0; x <= x1; x++)
            {
                double p = o.Shaft[(y * o.Width) + x];
                double ddx = x - cx, ddy = y - cy;
                m += p; sx += p * ddx; sy += p * ddy; sxx += p * ddx * ddx; syy += p * ddy * ddy; sxy += p * ddx * ddy;
            }
        }

        if (m < 1.5)
        {
            double n = Math.Sqrt((bw * bw) + (bh * bh));
            return n > 0 ? (bw / n, bh / n) : (1, 0);
        }

        double mx = sx / m, my = sy / m;
        double cxx = (sxx / m) - (mx * mx), cyy = (syy / m) - (my * my), cxy = (sxy / m) - (mx * my);
        double theta = 0.5 * Math.Atan2(2 * cxy, cxx - cyy);
        return (Math.Cos(theta), Math.Sin(theta));
    }

    /// <summary>Shaft probability summed across the shaft at one point (half-cell steps, bilinear): the shaft width in cells.</summary>
    private static double CrossSection(DetectorOutputs o, double x, double y, double dx, double dy)
    {
        double sum = 0;
        for (double t = -CrossHalfWidthCells; t <= CrossHalfWidthCells; t += 0.5)
        {
            sum += Bilinear(o.Shaft, o.Width, o.Height, x - (t * dy), y + (t * dx));
        }

        return 0.5 * sum;
    }

    internal static double Bilinear(float[] img, int w, int h, double x, double y)
    {
        if (x < 0 || y < 0 || x > w - 1 || y > h - 1)
        {
            return 0;
        }

        int x0 = Math.Min((int)x, w - 2 < 0 ? 0 : w - 2), y0 = Math.Min((int)y, h - 2 < 0 ? 0 : h - 2);
        int x1 = Math.Min(x0 + 1, w - 1), y1 = Math.Min(y0 + 1, h - 1);
        double fx = x - x0, fy = y - y0;
        double top = (img[(y0 * w) + x0] * (1 - fx)) + (img[(y0 * w) + x1] * fx);
        double bottom = (img[(y1 * w) + x0] * (1 - fx)) + (img[(y1 * w) + x1] * fx);
        return (top * (1 - fy)) + (bottom * fy);
    }

    private static double Median3(double a, double b, double c) => Math.Max(Math.Min(a, b), Math.Min(Math.Max(a, b), c));

    /// <summary>
    /// Each hair joins the nearest unit centre within its half-length plus two cells (the trainer
    /// put a unit's centre at the mean of its hairs' centres); a hair out of every unit's reach is
    /// a unit of its own; a unit centre no hair joined is dropped (a unit is its hairs).
    /// </summary>
    internal static IReadOnlyList<GridUnit> GroupUnits(IReadOnlyList<GridHair> hairs, IReadOnlyList<(double X, double Y)> unitCentres)
    {
        var members = new List<int>[unitCentres.Count];
        var units = new List<GridUnit>();
        for (int i = 0; i < hairs.Count; i++)
        {
            var hair = hairs[i];
            double reach = (0.5 * hair.LengthCells) + 2, best = reach * reach;
            int bestUnit = -1;
            for (int u = 0; u < unitCentres.Count; u++)
            {
                double ddx = unitCentres[u].X - hair.CentreX, ddy = unitCentres[u].Y - hair.CentreY, d2 = (ddx * ddx) + (ddy * ddy);
                if (d2 <= best)
                {
                    best = d2;
                    bestUnit = u;
                }
            }

            if (bestUnit < 0)
            {
                units.Add(new GridUnit(hair.CentreX, hair.CentreY, [i]));
            }
            else
            {
                (members[bestUnit] ??= []).Add(i);
            }
        }

        for (int u = 0; u < unitCentres.Count; u++)
        {
            if (members[u] is { Count: > 0 } m)
            {
                units.Add(new GridUnit(unitCentres[u].X, unitCentres[u].Y, m));
            }
        }

        return units;
    }
}
