using OpenCvSharp;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Measurement.Colour;
using SmpVision.Pipeline.Model;
using SmpVision.Pipeline.Regions;

namespace SmpVision.Pipeline.Planning;

/// <summary>
/// Turns a region map into a per-region SMP plan. Decisions and their sources:
/// <list type="bullet">
/// <item>Reference density (one dot per follicular opening, Rassman 2015): the patient's own
/// hair-bearing FU density when at least <see cref="PlanningOptions.MinReferenceFollicularUnits"/>
/// FUs over <see cref="PlanningOptions.MinReferenceAreaSquareMillimetres"/> were measured; else
/// the clinic's value; else the zone default (<see cref="ZoneDefaults"/>).</item>
/// <item>Target per region = reference minus the existing FU density (thinning gets the gap,
/// never a full layer over existing hair; hairless and scar get ~the full reference;
/// hair-bearing none).</item>
/// <item>Sessions: cumulative 30% / 70% / 100% by default (Liu 2025).</item>
/// <item>Hairline feathering: from <see cref="PlanningOptions.HairlineEdgeDensityFraction"/>
/// (40%, Tsai 2002) at the leading edge rising linearly to 100% over the feather width.</item>
/// <item>Scars: flagged for higher fading and one extra touch-up session (Liu 2025).</item>
/// <item>Pigment and needle: <see cref="PigmentRule"/>.</item>
/// <item>Dot layout: <see cref="DotLayout"/>; needs a scale (never invents mm).</item>
/// </list>
/// </summary>
public static class SmpPlanner
{
    /// <summary>Plans SMP over a region map.</summary>
    /// <param name="map">Region map of the image (from the region stage).</param>
    /// <param name="hairs">Detected hairs (their emergence points repel dots).</param>
    /// <param name="units">Detected follicular units (their centres repel dots).</param>
    /// <param name="colour">The frame's measured skin and hair colour (the one the response reports as measurements.colour); null when not measured.</param>
    /// <param name="options">Planning options.</param>
    /// <param name="ct">Cancellation.</param>
    /// <returns>The plan: reference, per-region and per-session targets, pigment, dots (with a scale).</returns>
    public static SmpPlan Plan(
        RegionMap map,
        IReadOnlyList<HairInstance> hairs,
        IReadOnlyList<FollicularUnit> units,
        TrichoscopyColour? colour,
        PlanningOptions options,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(hairs);
        ArgumentNullException.ThrowIfNull(units);
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid PlanningOptions: " + string.Join(" ", errors), nameof(options));
        }

        ct.ThrowIfCancellationRequested();
        var warnings = new List<PipelineWarning>();
        var reference = ChooseReference(map, options);
        if (reference.Source != ReferenceDensitySource.PatientMeasured)
        {
            warnings.Add(new PipelineWarning(
                "reference-not-measured",
                $"Reference density {reference.FollicularUnitsPerSquareCentimetre:F0} FU/cm2 comes from {reference.Source}, not from this patient's scalp ({reference.Citation})."));
        }

        if (units.Count == 0 && hairs.Count > 0)
        {
            warnings.Add(new PipelineWarning("no-follicular-units", "Hairs were found but no follicular units; existing density is taken from hair counts, which overstates it and underfills thinning areas."));
        }

        var fractions = options.CumulativeSessionFractions;
        var sessions = fractions.Count;
        var hasHairline = options.HairlinePolyline is not null || options.HairlineEdge != HairlineEdge.None;
        var ppm = map.PixelsPerMillimetre ?? options.PixelsPerMillimetreOverride;

        // Per-region targets.
        var targets = new List<(ScalpRegion Region, double Target, double? Existing, bool Pigmented, string Rule)>();
        foreach (var region in map.Regions)
        {
            targets.Add(Target(region, reference.FollicularUnitsPerSquareCentimetre, units.Count == 0, options, warnings));
        }

        // Dot layout.
        DotLayoutResult? layout = null;
        double? minSpacingPixels = null;
        if (options.IncludeDotLayout && targets.Any(t => t.Pigmented))
        {
            if (ppm is not { } p)
            {
                warnings.Add(new PipelineWarning("no-scale-no-dots", "No scale: dot densities are given per cm2, but dot coordinates and counts need px/mm, so none are laid out."));
            }
            else
            {
                ct.ThrowIfCancellationRequested();
                var toPx2 = 1.0 / (100.0 * p * p);
                var refPx2 = reference.FollicularUnitsPerSquareCentimetre * toPx2;
                var layoutRegions = targets.Where(t => t.Pigmented)
                    .Select(t => new DotLayoutRegion(t.Region.Id, t.Target * toPx2, refPx2))
                    .ToList();
                using var feather = hasHairline ? FeatherField(map.WidthPixels, map.HeightPixels, p, options) : null;
                var obstacles = units.Select(u => u.Centre).Concat(hairs.Select(h => h.Emergence)).ToList();
                var spacingFraction = SpacingFraction(reference.FollicularUnitsPerSquareCentimetre, options, warnings);
                using var allowedIds = RestrictToClinicianAreas(map.RegionIds, options);
                layout = DotLayout.Layout(allowedIds ?? map.RegionIds, layoutRegions, feather, fractions, obstacles, spacingFraction, options.MaxDots, options.RandomSeed, ct);
                minSpacingPixels = spacingFraction / Math.Sqrt(refPx2);
                if (layout.Capped)
                {
                    warnings.Add(new PipelineWarning("dot-cap", $"The layout stopped at {options.MaxDots} dots (MaxDots)."));
                }

                foreach (var (id, expected) in layout.ExpectedCumulativeCounts)
                {
                    var got = layout.CumulativeCounts[id][sessions - 1];
                    if (got < Math.Round(expected[sessions - 1]) - 1)
                    {
                        warnings.Add(new PipelineWarning("dot-shortfall", $"Region {id}: {got} dots placed of {expected[sessions - 1]:F0} expected; existing hairs leave too little room at the minimum spacing."));
                    }
                }
            }
        }

        var plans = new List<RegionPlan>();
        foreach (var (region, target, existing, pigmented, rule) in targets)
        {
            var isScar = region.Class == RegionClass.Scar && pigmented;
            var list = new List<SessionTarget>();
            int[]? counts = null;
            if (pigmented && layout is not null && layout.CumulativeCounts.TryGetValue(region.Id, out var c))
            {
                counts = c;
            }

            for (var s = 0; s < sessions; s++)
            {
                var cum = pigmented ? fractions[s] * target : 0;
                var prev = pigmented && s > 0 ? fractions[s - 1] * target : 0;
                int? cumCount = counts?[s] ?? (layout is not null ? 0 : null);
                int? added = counts is null ? cumCount : counts[s] - (s > 0 ? counts[s - 1] : 0);
                list.Add(new SessionTarget(s + 1, pigmented ? fractions[s] : 0, cum, cum - prev, cumCount, added, false));
            }

            if (isScar)
            {
                list.Add(new SessionTarget(sessions + 1, 1.0, target, 0, counts?[sessions - 1], counts is null ? null : 0, true));
            }

            plans.Add(new RegionPlan(
                region.Id,
                region.Class,
                region.ScarKind,
                pigmented,
                target,
                existing,
                pigmented && hasHairline ? target * options.HairlineEdgeDensityFraction : null,
                isScar,
                isScar,
                list,
                rule));
        }

        // The colour warnings (colour-uncalibrated, skin-colour-unreliable) are the frame's, raised
        // once with its colour (FrameColourWarnings); the pigment rule states them in its words.
        var pigment = PigmentRule.Recommend(colour, options.ColourCalibrated);

        return new SmpPlan(reference, plans, sessions, options.SessionNumber, pigment, layout?.Dots ?? [], minSpacingPixels, ppm, warnings);
    }

    /// <summary>
    /// The regions with their relative density re-expressed against the plan's reference, so the
    /// region figures and the plan use one reference: with a scale, each region's existing density
    /// (FU/cm2, or hairs/cm2 when the frame has hairs but no units, as the plan's targets use it)
    /// over the reference's FU/cm2. Without a scale the plan's FU/cm2 cannot be compared with a
    /// pixel count, and the region stage's own (unitless, in-image) relative density is kept.
    /// </summary>
    public static IReadOnlyList<ScalpRegion> RelativeToReference(IReadOnlyList<ScalpRegion> regions, ReferenceDensity reference, bool hairsWithoutUnits)
    {
        ArgumentNullException.ThrowIfNull(regions);
        ArgumentNullException.ThrowIfNull(reference);
        if (!(reference.FollicularUnitsPerSquareCentimetre > 0))
        {
            return regions;
        }

        return [.. regions.Select(r => (hairsWithoutUnits ? r.HairsPerSquareCentimetre : r.FollicularUnitsPerSquareCentimetre) is { } existing
            ? r with { DensityRelativeToReference = existing / reference.FollicularUnitsPerSquareCentimetre }
            : r)];
    }

    /// <summary>
    /// Spacing fraction of the layout: the clinician's minimum dot distance over the reference's
    /// mean spacing (10 / sqrt(FU/cm2) mm) when given, kept within the packable (0.3, 0.85] with a
    /// warning; else the configured fraction.
    /// </summary>
    internal static double SpacingFraction(double referencePerSquareCentimetre, PlanningOptions options, List<PipelineWarning> warnings)
    {
        if (options.MinDotSpacingMillimetres is not { } mm)
        {
            return options.MinDotSpacingFractionOfMeanSpacing;
        }

        var meanMm = 10.0 / Math.Sqrt(referencePerSquareCentimetre);
        var fraction = mm / meanMm;
        if (fraction is > 0.3 and <= 0.85)
        {
            return fraction;
        }

        var kept = Math.Clamp(fraction, 0.31, 0.85);
        warnings.Add(new PipelineWarning(
            "dot-spacing-out-of-range",
            $"Minimum dot spacing {mm:F2} mm is {fraction:F2} of the mean spacing {meanMm:F2} mm at {referencePerSquareCentimetre:F0} FU/cm2; a random layout needs 0.3-0.85 of it, so {kept * meanMm:F2} mm was used. Lower the reference density for wider spacing."));
        return kept;
    }

    /// <summary>
    /// Region ids with -1 outside the clinician's treatment areas (when any) and inside the
    /// exclusions; null when the clinician drew neither (the map's own ids apply).
    /// </summary>
    internal static Mat? RestrictToClinicianAreas(Mat regionIds, PlanningOptions options)
    {
        if (options.TreatmentAreas.Count == 0 && options.Exclusions.Count == 0)
        {
            return null;
        }

        using var allowed = new Mat(regionIds.Size(), MatType.CV_8UC1, Scalar.All(options.TreatmentAreas.Count == 0 ? 255 : 0));
        foreach (var area in options.TreatmentAreas)
        {
            Cv2.FillPoly(allowed, [ToPoints(area)], Scalar.All(255));
        }

        foreach (var exclusion in options.Exclusions)
        {
            Cv2.FillPoly(allowed, [ToPoints(exclusion)], Scalar.All(0));
        }

        var ids = regionIds.Clone();
        using var outside = new Mat();
        Cv2.BitwiseNot(allowed, outside);
        ids.SetTo(Scalar.All(-1), outside);
        return ids;
    }

    private static Point[] ToPoints(PolygonPixels polygon) =>
        polygon.Vertices.Select(v => new Point((int)Math.Round(v.X), (int)Math.Round(v.Y))).ToArray();

    /// <summary>
    /// Chooses the reference density: patient's own (enough FUs over enough area, needs a
    /// scale) &gt; clinic value &gt; zone default.
    /// </summary>
    internal static ReferenceDensity ChooseReference(RegionMap map, PlanningOptions options)
    {
        var hb = map.Regions.Where(r => r.Class == RegionClass.HairBearing).ToList();
        var fus = hb.Sum(r => r.FollicularUnitCount);
        double? areaMm2 = map.PixelsPerMillimetre is null ? null : hb.Sum(r => r.AreaSquareMillimetres ?? 0);
        double? measured = areaMm2 is > 0 ? fus / (areaMm2.Value / 100.0) : null;
        if (measured is { } m && fus >= options.MinReferenceFollicularUnits && areaMm2 >= options.MinReferenceAreaSquareMillimetres)
        {
            return new ReferenceDensity(m, ReferenceDensitySource.PatientMeasured, $"patient's own hair-bearing scalp: {fus} FU over {areaMm2:F1} mm2", areaMm2, fus, measured);
        }

        if (options.ClinicReferenceFollicularUnitsPerSquareCentimetre is { } clinic)
        {
            return new ReferenceDensity(clinic, ReferenceDensitySource.ClinicRequest, "clinic's value from the request", areaMm2, fus, measured);
        }

        var zone = options.ZoneDefaultFollicularUnitsPerSquareCentimetreOverride ?? ZoneDefaults.FollicularUnitsPerSquareCentimetre(options.Zone);
        var cite = options.ZoneDefaultFollicularUnitsPerSquareCentimetreOverride is null ? ZoneDefaults.Citation(options.Zone) : "zone default overridden by the caller";
        return new ReferenceDensity(zone, ReferenceDensitySource.ZoneDefault, $"{options.Zone} zone default: {cite}", areaMm2, fus, measured);
    }

    private static (ScalpRegion Region, double Target, double? Existing, bool Pigmented, string Rule) Target(
        ScalpRegion region, double reference, bool noUnits, PlanningOptions options, List<PipelineWarning> warnings)
    {
        var existing = noUnits ? region.HairsPerSquareCentimetre : region.FollicularUnitsPerSquareCentimetre;
        switch (region.Class)
        {
            case RegionClass.HairBearing:
                return (region, 0, existing, false, "hair-bearing: at or near the reference, no dots");
            case RegionClass.Thinning when !options.PigmentThinning:
                return (region, 0, existing, false, "thinning: not pigmented (option)");
            case RegionClass.Scar when !options.PigmentScars:
                return (region, 0, existing, false, "scar: not pigmented (option)");
            case RegionClass.Thinning or RegionClass.Hairless or RegionClass.Scar:
                double gap;
                string rule;
                if (existing is { } e)
                {
                    gap = Math.Max(0, reference - e);
                    rule = $"{Name(region.Class)}: reference {reference:F0} - existing {e:F0} = {gap:F0} dots/cm2 (fill between existing hairs, docs/DOMAIN-SOURCES.md)";
                }
                else if (region.DensityRelativeToReference is { } rel)
                {
                    gap = reference * Math.Max(0, 1 - rel);
                    rule = $"{Name(region.Class)}: reference {reference:F0} x (1 - relative density {rel:F2}) = {gap:F0} dots/cm2 (no scale: gap from relative density)";
                }
                else if (region.Class == RegionClass.Thinning)
                {
                    warnings.Add(new PipelineWarning("thinning-gap-unknown", $"Region {region.Id}: existing density unknown (no scale, no reference); thinning left unpigmented rather than layering over existing hair."));
                    return (region, 0, null, false, "thinning: existing density unknown, not pigmented");
                }
                else
                {
                    gap = reference;
                    rule = $"{Name(region.Class)}: no hair, full reference {reference:F0} dots/cm2";
                }

                if (region.Class == RegionClass.Scar)
                {
                    rule += "; scar: higher fading, extra touch-up session (Liu 2025, docs/DOMAIN-SOURCES.md)";
                }

                return (region, gap, existing, gap > 0, rule);
            default:
                return (region, 0, existing, false, "not scalp");
        }
    }

    private static string Name(RegionClass c) => RegionMap.Legend.First(e => e.Class == c).Name;

    /// <summary>Feather multiplier per pixel (32F): edge fraction at the leading edge rising linearly to 1 over the feather width.</summary>
    internal static Mat FeatherField(int width, int height, double pixelsPerMillimetre, PlanningOptions options)
    {
        var widthPx = options.FeatherWidthMillimetres * pixelsPerMillimetre;
        var e = options.HairlineEdgeDensityFraction;
        using var distance = new Mat();
        if (options.HairlinePolyline is { } line)
        {
            using var canvas = new Mat(height, width, MatType.CV_8UC1, Scalar.All(255));
            var pts = line.Select(p => new Point((int)Math.Round(p.X), (int)Math.Round(p.Y))).ToArray();
            Cv2.Polylines(canvas, [pts], false, Scalar.All(0), 1);
            Cv2.DistanceTransform(canvas, distance, DistanceTypes.L2, DistanceTransformMasks.Precise);
        }
        else
        {
            using var row = new Mat(1, width, MatType.CV_32FC1);
            using var col = new Mat(height, 1, MatType.CV_32FC1);
            for (var x = 0; x < width; x++)
            {
                row.Set(0, x, (float)(options.HairlineEdge == HairlineEdge.Left ? x + 0.5 : width - x - 0.5));
            }

            for (var y = 0; y < height; y++)
            {
                col.Set(y, 0, (float)(options.HairlineEdge == HairlineEdge.Top ? y + 0.5 : height - y - 0.5));
            }

            if (options.HairlineEdge is HairlineEdge.Left or HairlineEdge.Right)
            {
                Cv2.Repeat(row, height, 1, distance);
            }
            else
            {
                Cv2.Repeat(col, 1, width, distance);
            }
        }

        var result = new Mat();
        if (widthPx <= 0)
        {
            distance.ConvertTo(result, MatType.CV_32FC1, 0, 1);
            return result;
        }

        // m = e + (1 - e) * min(1, d / width)
        using var clipped = new Mat();
        Cv2.Min(distance, Scalar.All(widthPx), clipped);
        clipped.ConvertTo(result, MatType.CV_32FC1, (1 - e) / widthPx, e);
        return result;
    }

    /// <summary>
    /// Renders the plan over the scalp (<see cref="PlanPreview"/>): region outlines, the treatment
    /// boundary and hairline when given, the dots up to <paramref name="uptoSession"/> (default:
    /// the plan's current session) coloured per session with the newest ringed, and a legend with
    /// the target density per region class; thousands of dots are sampled and the legend says so.
    /// </summary>
    /// <returns>PNG bytes.</returns>
    public static byte[] RenderPreviewPng(ScalpImage image, RegionMap map, SmpPlan plan, int? uptoSession = null, IReadOnlyList<PolygonPixels>? treatmentBoundary = null, IReadOnlyList<PointPixels>? hairline = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(plan);
        return PlanPreview.Render(image, map, plan, uptoSession ?? plan.CurrentSession, treatmentBoundary, hairline);
    }
}
