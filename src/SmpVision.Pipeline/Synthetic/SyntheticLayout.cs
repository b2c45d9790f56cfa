using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Synthetic;

/// <summary>A hair planned before rendering. Angles in radians, clockwise from +x (image y down).</summary>
internal sealed record PlannedHair(
    int TrackId,
    int UnitTrackId,
    PointPixels Emergence,
    double AngleRadians,
    double LengthPixels,
    double WidthPixels,
    double WidthMicrometres,
    SyntheticHairKind Kind,
    double TipCutRadians,
    double SubsurfaceLengthPixels,
    double LightnessJitter,
    int RenderIndex)
{
    internal PointPixels Tip => new(
        Emergence.X + (LengthPixels * Math.Cos(AngleRadians)),
        Emergence.Y + (LengthPixels * Math.Sin(AngleRadians)));
}

/// <summary>A follicular unit planned before rendering.</summary>
internal sealed record PlannedUnit(int TrackId, PointPixels Centre, double AngleRadians, IReadOnlyList<PlannedHair> Hairs);

/// <summary>
/// Where every follicular unit and hair goes. Units are placed over the frame plus a margin as
/// long as the longest hair (so shafts enter the frame from outside, as on real frames), by
/// dart throwing with a minimum spacing (follicles are evenly spread, not clustered), thinned
/// by each region's density factor.
/// </summary>
internal sealed class SyntheticLayout
{
    private SyntheticLayout(IReadOnlyList<PlannedUnit> units, int nextHairTrackId, int nextUnitTrackId, double dominantAngle)
    {
        Units = units;
        NextHairTrackId = nextHairTrackId;
        NextUnitTrackId = nextUnitTrackId;
        DominantAngleRadians = dominantAngle;
    }

    internal IReadOnlyList<PlannedUnit> Units { get; }

    internal int NextHairTrackId { get; }

    internal int NextUnitTrackId { get; }

    internal double DominantAngleRadians { get; }

    internal IEnumerable<PlannedHair> Hairs => Units.SelectMany(u => u.Hairs);

    /// <summary>The same layout with every position mapped and every angle turned.</summary>
    internal SyntheticLayout Transformed(Func<PointPixels, PointPixels> map, double turnRadians) => new(
        [.. Units.Select(u => u with
        {
            Centre = map(u.Centre),
            AngleRadians = u.AngleRadians + turnRadians,
            Hairs = [.. u.Hairs.Select(h => h with { Emergence = map(h.Emergence), AngleRadians = h.AngleRadians + turnRadians })],
        })],
        NextHairTrackId,
        NextUnitTrackId,
        DominantAngleRadians + turnRadians);

    /// <summary>The region spec that governs a point (last one containing it), or null for the background.</summary>
    internal static SyntheticRegionSpec? RegionAt(SyntheticTrichoscopySpec spec, PointPixels p)
    {
        for (var i = spec.Regions.Count - 1; i >= 0; i--)
        {
            if (spec.Regions[i].Shape.Contains(p))
            {
                return spec.Regions[i];
            }
        }

        return null;
    }

    internal static double MarginPixels(SyntheticTrichoscopySpec spec) =>
        (spec.HairLengthMillimetres.Max * spec.PixelsPerMillimetre) + (spec.TerminalWidthMicrometres.Max * spec.PixelsPerMillimetre / 1000.0 * 3);

    /// <summary>Plans units over the frame plus a margin; <paramref name="extraMarginPixels"/> widens it
    /// for pairs whose after frame looks at a shifted or rotated field.</summary>
    internal static SyntheticLayout Create(SyntheticTrichoscopySpec spec, int seed, CancellationToken ct, double extraMarginPixels = 0)
    {
        var rng = SyntheticRandom.Derive(seed, "layout");
        var ppm = spec.PixelsPerMillimetre;
        var margin = MarginPixels(spec) + extraMarginPixels;
        double x0 = -margin, y0 = -margin, x1 = spec.WidthPixels + margin, y1 = spec.HeightPixels + margin;
        var areaCm2 = (x1 - x0) * (y1 - y0) / (ppm * ppm) / 100.0;
        var dominant = spec.HairDirectionDegrees is { } d ? d * Math.PI / 180.0 : rng.Uniform(0, 2 * Math.PI);

        // Darts at the background density; each is kept with its region's density factor
        // (factors above 1 are handled by throwing proportionally more darts).
        var maxFactor = Math.Max(1.0, spec.Regions.Count == 0 ? 1.0 : spec.Regions.Max(r => r.EffectiveDensityFactor));
        var dartCount = rng.Poisson(spec.FollicularUnitsPerSquareCentimetre * maxFactor * areaCm2);
        var spacingPixels = spec.FollicularUnitsPerSquareCentimetre > 0
            ? 10.0 * ppm / Math.Sqrt(spec.FollicularUnitsPerSquareCentimetre * maxFactor)
            : 0;
        // A minimum distance of half the mean spacing keeps units apart without a visible grid.
        var minDistance = 0.5 * spacingPixels;
        var placed = new List<PointPixels>();
        var units = new List<PlannedUnit>();
        int hairTrack = 0, unitTrack = 0;
        for (var i = 0; i < dartCount; i++)
        {
            ct.ThrowIfCancellationRequested();
            PointPixels? candidate = null;
            for (var attempt = 0; attempt < 30; attempt++)
            {
                var p = new PointPixels(rng.Uniform(x0, x1), rng.Uniform(y0, y1));
                if (placed.All(q => Distance(p, q) >= minDistance))
                {
                    candidate = p;
                    break;
                }
            }

            // Draws for acceptance happen whether or not a spot was found, so the stream stays aligned.
            var accept = rng.NextDouble();
            if (candidate is not { } c)
            {
                continue;
            }

            var region = RegionAt(spec, c);
            var factor = (region?.EffectiveDensityFactor ?? 1.0) / maxFactor;
            if (accept >= factor)
            {
                continue;
            }

            placed.Add(c);
            var unit = PlanUnit(spec, region, rng, c, dominant, unitTrack++, ref hairTrack);
            units.Add(unit);
        }

        return new SyntheticLayout(units, hairTrack, unitTrack, dominant);
    }

    private static PlannedUnit PlanUnit(
        SyntheticTrichoscopySpec spec, SyntheticRegionSpec? region, SyntheticRandom rng, PointPixels centre, double dominant, int unitTrackId, ref int hairTrack)
    {
        var weights = region?.EffectiveHairsPerUnitWeights(spec.HairsPerUnitWeights) ?? spec.HairsPerUnitWeights;
        var count = rng.Weighted(weights) + 1;
        var unitAngle = dominant + (rng.Normal() * spec.HairDirectionSpreadDegrees * Math.PI / 180.0);
        var hairs = new List<PlannedHair>(count);
        var kinds = new SyntheticHairKind[count];
        var widthsUm = new double[count];
        for (var k = 0; k < count; k++)
        {
            (kinds[k], widthsUm[k]) = DrawWidth(spec, region, rng);
        }

        var maxWidthPx = widthsUm.Max() * spec.PixelsPerMillimetre / 1000.0;
        for (var k = 0; k < count; k++)
        {
            hairs.Add(PlanHair(spec, rng, unitTrackId, hairTrack++, centre, unitAngle, k, count, kinds[k], widthsUm[k], maxWidthPx));
        }

        return new PlannedUnit(unitTrackId, centre, unitAngle, hairs);
    }

    internal static (SyntheticHairKind Kind, double WidthMicrometres) DrawWidth(SyntheticTrichoscopySpec spec, SyntheticRegionSpec? region, SyntheticRandom rng)
    {
        var terminal = region?.EffectiveTerminalFraction(spec.TerminalFraction) ?? spec.TerminalFraction;
        var vellus = region?.EffectiveVellusFraction(spec.VellusFraction) ?? spec.VellusFraction;
        var r = rng.NextDouble();
        var widthDraw = rng.NextDouble();
        static double Lerp(SyntheticRange range, double t) => range.Min + ((range.Max - range.Min) * t);
        return r < terminal
            ? (SyntheticHairKind.Terminal, Lerp(spec.TerminalWidthMicrometres, widthDraw))
            : r < terminal + vellus
                ? (SyntheticHairKind.Vellus, Lerp(spec.VellusWidthMicrometres, widthDraw))
                : (SyntheticHairKind.Intermediate, Lerp(spec.IntermediateWidthMicrometres, widthDraw));
    }

    /// <summary>
    /// Hairs of one unit leave the same opening side by side, fanning slightly (a few degrees),
    /// as on the dev frames.
    /// </summary>
    internal static PlannedHair PlanHair(
        SyntheticTrichoscopySpec spec, SyntheticRandom rng, int unitTrackId, int hairTrackId, PointPixels centre, double unitAngle,
        int index, int count, SyntheticHairKind kind, double widthUm, double maxWidthPx)
    {
        var ppm = spec.PixelsPerMillimetre;
        var widthPx = widthUm * ppm / 1000.0;
        var fan = rng.Normal() * 6.0 * Math.PI / 180.0;
        var side = (index - ((count - 1) / 2.0)) * maxWidthPx * rng.Uniform(1.15, 2.0);
        // Shafts leaving one opening fan out from it: a hair on one side of the unit leans to that
        // side, so the shafts part towards their tips. Drawn independently (before 2026-11-24) about
        // half the units converged towards the tips as if from separate openings, which a unit's
        // shared opening does not produce; one hair in five still leans across (crossing shafts).
        if (side != 0 && Math.Sign(fan) != Math.Sign(side) && hairTrackId % 5 != 0)
        {
            fan = -fan;
        }

        var angle = unitAngle + fan;
        var along = rng.Normal() * 0.3 * maxWidthPx;
        var nx = -Math.Sin(unitAngle);
        var ny = Math.Cos(unitAngle);
        var ex = centre.X + (nx * side) + (Math.Cos(unitAngle) * along);
        var ey = centre.Y + (ny * side) + (Math.Sin(unitAngle) * along);
        var length = spec.HairLengthMillimetres.Sample(rng) * ppm;
        var tipCut = Math.Clamp(rng.Normal() * 20.0, -45, 45) * Math.PI / 180.0;
        // The buried part of the shaft shows through the skin for roughly 0.15-0.45 mm.
        var subsurface = rng.Uniform(0.15, 0.45) * ppm;
        var jitter = rng.Normal() * 2.5;
        return new PlannedHair(hairTrackId, unitTrackId, new PointPixels(ex, ey), angle, length, widthPx, widthUm, kind, tipCut, subsurface, jitter, hairTrackId);
    }

    /// <summary>
    /// The after-frame layout of a pair: units and hairs added or removed inside the change area,
    /// everything else (including render seeds of surviving hairs) left as it was.
    /// </summary>
    internal SyntheticLayout ApplyChange(SyntheticTrichoscopySpec spec, int seed, ChangeSpec change, Func<PointPixels, bool> countedAt)
    {
        var rng = SyntheticRandom.Derive(seed, "change");
        var units = Units.ToList();
        int hairTrack = NextHairTrackId, unitTrack = NextUnitTrackId;

        // Units: only counted ones (centre in the analysable area) are used for the fraction so the
        // stated change matches the truth's counting rule.
        var inArea = units.Where(u => change.Area.Contains(u.Centre) && countedAt(u.Centre)).ToList();
        if (change.FollicularUnitChangeFraction < 0)
        {
            var remove = (int)Math.Round(-change.FollicularUnitChangeFraction * inArea.Count, MidpointRounding.AwayFromZero);
            foreach (var u in Shuffle(inArea, rng).Take(remove))
            {
                units.Remove(u);
            }
        }
        else if (change.FollicularUnitChangeFraction > 0)
        {
            var add = inArea.Count > 0
                ? (int)Math.Round(change.FollicularUnitChangeFraction * inArea.Count, MidpointRounding.AwayFromZero)
                : (int)Math.Round(change.FollicularUnitChangeFraction * spec.FollicularUnitsPerSquareCentimetre * AreaSquareCentimetres(spec, change.Area, countedAt), MidpointRounding.AwayFromZero);
            // New units keep the scene's own minimum spacing (half the mean spacing at the dart
            // density, as Create places units): follicular openings are evenly spread, and a unit
            // closer than any unit of the scene (0.3 of the spacing before 2026-11-24) put new
            // shafts on top of existing ones, a layout the scene itself never produces.
            var maxFactor = Math.Max(1.0, spec.Regions.Count == 0 ? 1.0 : spec.Regions.Max(r => r.EffectiveDensityFactor));
            var minDistance = 0.5 * 10.0 * spec.PixelsPerMillimetre / Math.Sqrt(Math.Max(1, spec.FollicularUnitsPerSquareCentimetre * maxFactor));
            var bounds = Bounds(change.Area, spec);
            var added = 0;
            for (var attempt = 0; attempt < add * 400 && added < add; attempt++)
            {
                var p = new PointPixels(rng.Uniform(bounds.X0, bounds.X1), rng.Uniform(bounds.Y0, bounds.Y1));
                if (!change.Area.Contains(p) || !countedAt(p) || units.Any(u => Distance(u.Centre, p) < minDistance))
                {
                    continue;
                }

                var region = RegionAt(spec, p);
                units.Add(PlanUnit(spec, region is { Kind: SyntheticRegionKind.Scar } ? null : region, rng, p, DominantAngleRadians, unitTrack++, ref hairTrack));
                added++;
            }
        }

        if (change.HairChangeFraction != 0)
        {
            var candidates = units.Where(u => change.Area.Contains(u.Centre) && countedAt(u.Centre)).ToList();
            var hairsInArea = candidates.Sum(u => u.Hairs.Count(h => countedAt(h.Emergence)));
            var n = (int)Math.Round(Math.Abs(change.HairChangeFraction) * hairsInArea, MidpointRounding.AwayFromZero);
            for (var i = 0; i < n && candidates.Count > 0; i++)
            {
                var pick = candidates[rng.NextInt(candidates.Count)];
                var index = units.IndexOf(pick);
                PlannedUnit updated;
                if (change.HairChangeFraction > 0)
                {
                    // A new hair joins the unit at the side of its outermost hair.
                    var region = RegionAt(spec, pick.Centre);
                    var (kind, widthUm) = DrawWidth(spec, region, rng);
                    var maxWidthPx = Math.Max(widthUm, pick.Hairs.Max(h => h.WidthMicrometres)) * spec.PixelsPerMillimetre / 1000.0;
                    var newHair = PlanHair(spec, rng, pick.TrackId, hairTrack++, pick.Centre, pick.AngleRadians, pick.Hairs.Count, pick.Hairs.Count + 1, kind, widthUm, maxWidthPx);
                    newHair = BesideOutermost(newHair, pick, maxWidthPx, rng);
                    if (!countedAt(newHair.Emergence))
                    {
                        i--;
                        hairTrack--;
                        candidates.Remove(pick);
                        continue;
                    }

                    updated = pick with { Hairs = [.. pick.Hairs, newHair] };
                }
                else
                {
                    var counted = pick.Hairs.Where(h => countedAt(h.Emergence)).ToList();
                    if (counted.Count == 0)
                    {
                        i--;
                        candidates.Remove(pick);
                        continue;
                    }

                    var victim = counted[rng.NextInt(counted.Count)];
                    updated = pick with { Hairs = pick.Hairs.Where(h => h != victim).ToList() };
                }

                candidates.Remove(pick);
                if (updated.Hairs.Count == 0)
                {
                    units.RemoveAt(index);
                }
                else
                {
                    units[index] = updated;
                    candidates.Add(updated);
                }
            }
        }

        return new SyntheticLayout(units, hairTrack, unitTrack, DominantAngleRadians);
    }

    /// <summary>
    /// Moves a hair added to a unit to just outside the unit's outermost hair (on the positive
    /// side, where PlanHair puts the last index and leans its fan), one gap of 1.15-2 shaft widths
    /// away, as PlanHair spaces neighbouring hairs of a unit. PlanHair's own offset is for a unit
    /// planned with the new count, so it could land within a shaft width of an existing hair (on
    /// top of its shaft), which no unit of the scene has; the along-axis offset is kept.
    /// </summary>
    private static PlannedHair BesideOutermost(PlannedHair hair, PlannedUnit unit, double maxWidthPx, SyntheticRandom rng)
    {
        var nx = -Math.Sin(unit.AngleRadians);
        var ny = Math.Cos(unit.AngleRadians);
        double SideOf(PointPixels p) => ((p.X - unit.Centre.X) * nx) + ((p.Y - unit.Centre.Y) * ny);
        var outermost = unit.Hairs.Max(h => SideOf(h.Emergence));
        var wanted = outermost + (maxWidthPx * rng.Uniform(1.15, 2.0));
        var shift = wanted - SideOf(hair.Emergence);
        return hair with { Emergence = new PointPixels(hair.Emergence.X + (shift * nx), hair.Emergence.Y + (shift * ny)) };
    }

    private static double AreaSquareCentimetres(SyntheticTrichoscopySpec spec, SyntheticShape area, Func<PointPixels, bool> countedAt)
    {
        long inside = 0;
        for (var y = 0; y < spec.HeightPixels; y += 2)
        {
            for (var x = 0; x < spec.WidthPixels; x += 2)
            {
                var p = new PointPixels(x + 1, y + 1);
                if (area.Contains(p) && countedAt(p))
                {
                    inside += 4;
                }
            }
        }

        return inside / (spec.PixelsPerMillimetre * spec.PixelsPerMillimetre) / 100.0;
    }

    private static (double X0, double Y0, double X1, double Y1) Bounds(SyntheticShape shape, SyntheticTrichoscopySpec spec)
    {
        if (shape.Polygon is { } poly)
        {
            return (Math.Max(0, poly.Vertices.Min(v => v.X)), Math.Max(0, poly.Vertices.Min(v => v.Y)),
                Math.Min(spec.WidthPixels, poly.Vertices.Max(v => v.X)), Math.Min(spec.HeightPixels, poly.Vertices.Max(v => v.Y)));
        }

        var r = Math.Max(shape.EllipseRadiusXPixels, shape.EllipseRadiusYPixels);
        var c = shape.EllipseCentre;
        return (Math.Max(0, c.X - r), Math.Max(0, c.Y - r), Math.Min(spec.WidthPixels, c.X + r), Math.Min(spec.HeightPixels, c.Y + r));
    }

    private static List<T> Shuffle<T>(IReadOnlyList<T> items, SyntheticRandom rng)
    {
        var list = items.ToList();
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = rng.NextInt(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }

        return list;
    }

    private static double Distance(PointPixels a, PointPixels b)
    {
        var dx = a.X - b.X;
        var dy = a.Y - b.Y;
        return Math.Sqrt((dx * dx) + (dy * dy));
    }
}
