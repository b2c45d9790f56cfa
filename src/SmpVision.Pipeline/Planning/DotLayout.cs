using OpenCvSharp;
using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Planning;

/// <summary>One region to lay dots in.</summary>
/// <param name="RegionId">Region id (value in the region-id image).</param>
/// <param name="TargetDotsPerSquarePixel">Full (last-session) dot density before feathering.</param>
/// <param name="SpacingBasisDotsPerSquarePixel">Density the minimum spacing is derived from: the reference
/// density, also in thinning regions, where existing hairs take up the rest of the natural spacing.</param>
internal sealed record DotLayoutRegion(int RegionId, double TargetDotsPerSquarePixel, double SpacingBasisDotsPerSquarePixel);

/// <summary>Result of a layout.</summary>
/// <param name="Dots">All dots, in session order.</param>
/// <param name="CumulativeCounts">Per region id: dots in place after each session.</param>
/// <param name="ExpectedCumulativeCounts">Per region id: expected dots after each session (target x feathered area).</param>
/// <param name="Capped">True when the maximum number of dots stopped the layout.</param>
internal sealed record DotLayoutResult(
    IReadOnlyList<PlannedDot> Dots,
    IReadOnlyDictionary<int, int[]> CumulativeCounts,
    IReadOnlyDictionary<int, double[]> ExpectedCumulativeCounts,
    bool Capped);

/// <summary>
/// Blue-noise (Poisson-disc) SMP dot layout with a spatially varying density, built up over
/// sessions. Each session throws random darts over the pigmented pixels; a dart is kept when no
/// earlier dot, no dot of an earlier session and no existing hair/FU lies within the session's
/// minimum spacing r = k / sqrt(f_s * basis * m(x)) (k = spacing fraction, f_s = cumulative
/// session fraction, m = hairline feather multiplier). The kept darts of each region are then
/// thinned at random to exactly the expected count (target x f_s x feathered area), which removes
/// dots without ever breaking the spacing. Earlier sessions' dots stay: positions are randomised and
/// each session fills between the previous ones (Liu 2025, docs/DOMAIN-SOURCES.md).
/// </summary>
internal static class DotLayout
{
    /// <summary>Random sequential packing saturates at ~0.547 of the plane covered by discs of
    /// half the spacing, i.e. ~0.70 / r^2 points per unit area; used only to size the dart budget.</summary>
    private const double SaturatedPointsPerSquareSpacing = 0.70;

    /// <summary>Darts per expected saturated point; enough to get close to saturation.</summary>
    private const int DartsPerPoint = 60;

    private const int MaxDartsPerSession = 20_000_000;

    internal static DotLayoutResult Layout(
        Mat regionIds,
        IReadOnlyList<DotLayoutRegion> regions,
        Mat? feather,
        IReadOnlyList<double> cumulativeFractions,
        IReadOnlyList<PointPixels> obstacles,
        double spacingFraction,
        int maxDots,
        int seed,
        CancellationToken ct)
    {
        var width = regionIds.Cols;
        var height = regionIds.Rows;
        regionIds.GetArray(out int[] ids);
        float[]? m = null;
        if (feather is not null)
        {
            feather.GetArray(out float[] f);
            m = f;
        }

        var byId = regions.Where(r => r.TargetDotsPerSquarePixel > 0 && r.SpacingBasisDotsPerSquarePixel > 0).ToDictionary(r => r.RegionId);
        var sessions = cumulativeFractions.Count;
        var integral = new Dictionary<int, double>();
        var pixels = new List<int>();
        for (var i = 0; i < ids.Length; i++)
        {
            if (ids[i] >= 0 && byId.ContainsKey(ids[i]))
            {
                pixels.Add(i);
                integral[ids[i]] = integral.GetValueOrDefault(ids[i]) + (m?[i] ?? 1f);
            }
        }

        var expected = new Dictionary<int, double[]>();
        var counts = new Dictionary<int, int[]>();
        foreach (var r in byId.Values)
        {
            var e = new double[sessions];
            for (var s = 0; s < sessions; s++)
            {
                e[s] = cumulativeFractions[s] * r.TargetDotsPerSquarePixel * integral.GetValueOrDefault(r.RegionId);
            }

            expected[r.RegionId] = e;
            counts[r.RegionId] = new int[sessions];
        }

        var dots = new List<PlannedDot>();
        if (pixels.Count == 0)
        {
            return new DotLayoutResult(dots, counts, expected, false);
        }

        var maxBasis = byId.Values.Max(r => r.SpacingBasisDotsPerSquarePixel);
        var cellSize = Math.Max(0.5, spacingFraction / Math.Sqrt(maxBasis));
        var grid = new SpatialGrid(width, height, cellSize);
        foreach (var o in obstacles)
        {
            grid.Add(o.X, o.Y);
        }

        var random = new Random(seed);
        var capped = false;
        for (var s = 0; s < sessions && !capped; s++)
        {
            ct.ThrowIfCancellationRequested();
            var f = cumulativeFractions[s];
            var saturated = byId.Values.Sum(r => SaturatedPointsPerSquareSpacing * f * r.SpacingBasisDotsPerSquarePixel * integral.GetValueOrDefault(r.RegionId)) / (spacingFraction * spacingFraction);
            // Darts are bounded by the dot cap too: more than DartsPerPoint per allowed dot only
            // fills candidates the cap throws away (an absurd scale once asked for 20 M darts).
            var darts = (int)Math.Min(Math.Min(MaxDartsPerSession, (long)DartsPerPoint * Math.Max(1, maxDots)), Math.Max(1000, DartsPerPoint * saturated));
            var candidates = new List<(double X, double Y, int Id, bool Feather)>();
            for (var d = 0; d < darts; d++)
            {
                if ((d & 0xFFFF) == 0)
                {
                    ct.ThrowIfCancellationRequested();
                }

                var p = pixels[random.Next(pixels.Count)];
                var x = (p % width) + random.NextDouble();
                var y = (p / width) + random.NextDouble();
                var id = ids[p];
                var mult = m?[p] ?? 1f;
                var r = spacingFraction / Math.Sqrt(f * byId[id].SpacingBasisDotsPerSquarePixel * mult);
                if (grid.AnyWithin(x, y, r))
                {
                    continue;
                }

                grid.Add(x, y);
                candidates.Add((x, y, id, mult < 0.999f));
            }

            // Thin each region's new darts to the expected count; darts are already in random order.
            var taken = new Dictionary<int, int>();
            var kept = new List<(double X, double Y, int Id, bool Feather)>();
            foreach (var c in candidates)
            {
                var previous = s == 0 ? 0 : counts[c.Id][s - 1];
                var need = (int)Math.Round(expected[c.Id][s]) - previous;
                var t = taken.GetValueOrDefault(c.Id);
                if (t < need)
                {
                    taken[c.Id] = t + 1;
                    kept.Add(c);
                }
            }

            if (dots.Count + kept.Count > maxDots)
            {
                kept = kept.Take(Math.Max(0, maxDots - dots.Count)).ToList();
                capped = true;
            }

            grid.Clear();
            foreach (var o in obstacles)
            {
                grid.Add(o.X, o.Y);
            }

            foreach (var dot in dots)
            {
                grid.Add(dot.Position.X, dot.Position.Y);
            }

            foreach (var c in kept)
            {
                dots.Add(new PlannedDot(new PointPixels(c.X, c.Y), s + 1, c.Id, c.Feather));
                grid.Add(c.X, c.Y);
            }

            foreach (var (id, c) in counts)
            {
                c[s] = (s == 0 ? 0 : c[s - 1]) + taken.GetValueOrDefault(id);
            }

            if (capped)
            {
                foreach (var (id, c) in counts)
                {
                    c[s] = dots.Count(d => d.RegionId == id);
                }
            }
        }

        return new DotLayoutResult(dots, counts, expected, capped);
    }

    /// <summary>Uniform bucket grid for neighbour queries.</summary>
    private sealed class SpatialGrid
    {
        private readonly int _cols;
        private readonly int _rows;
        private readonly double _cell;
        private readonly List<(double X, double Y)>?[] _buckets;

        internal SpatialGrid(int width, int height, double cell)
        {
            _cell = cell;
            _cols = Math.Max(1, (int)Math.Ceiling(width / cell));
            _rows = Math.Max(1, (int)Math.Ceiling(height / cell));
            _buckets = new List<(double X, double Y)>?[_cols * _rows];
        }

        internal void Clear() => Array.Clear(_buckets);

        internal void Add(double x, double y)
        {
            var cx = Math.Clamp((int)(x / _cell), 0, _cols - 1);
            var cy = Math.Clamp((int)(y / _cell), 0, _rows - 1);
            (_buckets[(cy * _cols) + cx] ??= []).Add((x, y));
        }

        internal bool AnyWithin(double x, double y, double r)
        {
            var r2 = r * r;
            var x0 = Math.Max(0, (int)((x - r) / _cell));
            var x1 = Math.Min(_cols - 1, (int)((x + r) / _cell));
            var y0 = Math.Max(0, (int)((y - r) / _cell));
            var y1 = Math.Min(_rows - 1, (int)((y + r) / _cell));
            for (var cy = y0; cy <= y1; cy++)
            {
                for (var cx = x0; cx <= x1; cx++)
                {
                    var b = _buckets[(cy * _cols) + cx];
                    if (b is null)
                    {
                        continue;
                    }

                    foreach (var (px, py) in b)
                    {
                        var dx = px - x;
                        var dy = py - y;
                        if ((dx * dx) + (dy * dy) < r2)
                        {
                            return true;
                        }
                    }
                }
            }

            return false;
        }
    }
}
