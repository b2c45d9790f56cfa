using OpenCvSharp;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Comparison;

/// <summary>
/// What changed between two visits, over the area both photos analysed (the before photo's
/// analysable mask intersected with the after photo's mask warped onto the before photo).
/// Measures, overall and per region class: hair and follicular-unit counts and densities with
/// Poisson standard errors and a z test, paired hair matching (gained / lost / matched; matching
/// the same hairs across visits: Bokhari et al. 2022, docs/DOMAIN-SOURCES.md), hair coverage and bald area
/// (fractions, and mm2 with a scale), and renders a change map. Counting both visits in the
/// before photo's geometry makes the comparison independent of the after photo's scale;
/// densities use the before photo's scale. A relative loss of ~22% is the smallest a
/// dermatologist perceives (docs/DOMAIN-SOURCES.md), so changes below the count noise are not called.
/// </summary>
internal static class ChangeAnalysis
{
    /// <summary>
    /// Registers the after visit onto the before visit (analysable masks keep keypoints on scalp;
    /// modality and scale are checked) and compares them; the result carries the registration.
    /// </summary>
    public static ChangeResult RegisterAndCompare(ComparisonSide before, ComparisonSide after, RegistrationOptions registrationOptions, ChangeOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        before.Validate(nameof(before));
        after.Validate(nameof(after));
        var registration = ImageRegistration.Register(before.ForRegistration(), after.ForRegistration(), registrationOptions, ct);
        ct.ThrowIfCancellationRequested();
        return Compare(before, after, registration, options, ct);
    }

    /// <summary>Compares two analysed visits given the registration of after onto before.</summary>
    public static ChangeResult Compare(ComparisonSide before, ComparisonSide after, RegistrationResult registration, ChangeOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        ArgumentNullException.ThrowIfNull(registration);
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid change options: " + string.Join(" ", errors), nameof(options));
        }

        before.Validate(nameof(before));
        after.Validate(nameof(after));

        var warnings = new List<PipelineWarning>(registration.Warnings);
        if (!registration.Succeeded || registration.HomographyAfterToBefore is null)
        {
            return NotCompared(registration, $"Not compared: the photos could not be aligned. {registration.Message}", warnings);
        }

        var h = registration.HomographyAfterToBefore;
        var size = new Size(before.Image.WidthPixels, before.Image.HeightPixels);
        using var hMat = KnownWarp.ToMat(h);

        ct.ThrowIfCancellationRequested();
        using var afterMaskWarped = new Mat();
        Cv2.WarpPerspective(after.AnalysableMask, afterMaskWarped, hMat, size, InterpolationFlags.Nearest, BorderTypes.Constant, Scalar.All(0));
        using var common = new Mat();
        Cv2.BitwiseAnd(before.AnalysableMask, afterMaskWarped, common);
        Cv2.Threshold(common, common, 0, 255, ThresholdTypes.Binary);
        long commonPixels = Cv2.CountNonZero(common);
        long beforePixels = Cv2.CountNonZero(before.AnalysableMask);
        var commonFraction = beforePixels > 0 ? (double)commonPixels / beforePixels : 0;
        if (commonPixels == 0)
        {
            return NotCompared(registration, "Not compared: the photos share no analysable area.", warnings);
        }

        if (commonFraction < options.MinCommonAreaFraction)
        {
            warnings.Add(new PipelineWarning("small-common-area", $"Only {commonFraction:P0} of the before photo's analysable area is also analysable on the after photo; the change describes that part only."));
        }

        if (registration.MedianReprojectionErrorPixels is { } residual && residual > options.MaxResidualPixels)
        {
            warnings.Add(new PipelineWarning("loose-registration", $"The alignment residual is {residual:F1} px (limit {options.MaxResidualPixels:F1}); hair-level matching may be unreliable."));
        }

        var scale = before.Scale;
        if (scale is null)
        {
            warnings.Add(new PipelineWarning("no-scale", "The before photo has no scale: densities per cm2 and areas in mm2 are omitted; counts and fractions are reported."));
        }

        ct.ThrowIfCancellationRequested();
        using var afterHairWarped = new Mat();
        Cv2.WarpPerspective(after.HairMask, afterHairWarped, hMat, size, InterpolationFlags.Linear, BorderTypes.Constant, Scalar.All(0));
        Cv2.Threshold(afterHairWarped, afterHairWarped, 127, 255, ThresholdTypes.Binary);
        using var beforeHair = new Mat();
        Cv2.Threshold(before.HairMask, beforeHair, 0, 255, ThresholdTypes.Binary);

        // Region partition: the before photo's labels (the reference geometry), else the after photo's warped.
        using var labels = RegionPartition(before, after, hMat, size, warnings);
        using var afterLabelsWarped = WarpLabels(after.RegionLabels, hMat, size);
        var labelsBothSides = before.RegionLabels is not null && afterLabelsWarped is not null;

        // Bald maps for both visits, on the before geometry, by one rule for both.
        using var baldBefore = new Mat();
        using var baldAfter = new Mat();
        var baldAvailable = BuildBaldMaps(before, afterLabelsWarped, labelsBothSides, beforeHair, afterHairWarped, scale, options, baldBefore, baldAfter, warnings);

        ct.ThrowIfCancellationRequested();
        var beforeHairPoints = before.Hairs.Select(x => new Shaft(x.Emergence, x.Tip)).ToList();
        var afterHairPoints = after.Hairs.Select(x => new Shaft(HomographyMath.Apply(h, x.Emergence.X, x.Emergence.Y), HomographyMath.Apply(h, x.Tip.X, x.Tip.Y))).ToList();
        var beforeUnitPoints = before.Units.Select(u => new Shaft(u.Centre, u.Centre)).ToList();
        var afterUnitPoints = after.Units.Select(u => HomographyMath.Apply(h, u.Centre.X, u.Centre.Y)).Select(p => new Shaft(p, p)).ToList();
        var tolerance = MatchTolerancePixels(before, options);

        var overall = Measure(null, common, beforeHairPoints, afterHairPoints, beforeUnitPoints, afterUnitPoints, beforeHair, afterHairWarped,
            baldAvailable ? baldBefore : null, baldAfter, scale, tolerance, options);
        // Overhead photos count no hairs (bald and thinning areas are what they measure), so a
        // hair-count warning there would always fire and mean nothing.
        if (before.Modality != Modality.Overhead && overall.Hairs.BeforeCount < options.LowCountHairs && overall.Hairs.AfterCount < options.LowCountHairs)
        {
            warnings.Add(new PipelineWarning("low-count", $"Fewer than {options.LowCountHairs} hairs on both visits: relative changes are dominated by count noise."));
        }

        var regions = new List<RegionChange>();
        if (labels is not null)
        {
            foreach (var region in Enum.GetValues<RegionClass>())
            {
                ct.ThrowIfCancellationRequested();
                if (region is RegionClass.Unclassified or RegionClass.OffScalp)
                {
                    continue;
                }

                using var regionMask = new Mat();
                Cv2.InRange(labels, new Scalar((byte)region), new Scalar((byte)region), regionMask);
                Cv2.BitwiseAnd(regionMask, common, regionMask);
                if (Cv2.CountNonZero(regionMask) == 0)
                {
                    continue;
                }

                regions.Add(Measure(region, regionMask, beforeHairPoints, afterHairPoints, beforeUnitPoints, afterUnitPoints, beforeHair, afterHairWarped,
                    baldAvailable ? baldBefore : null, baldAfter, scale, tolerance, options));
            }
        }

        ct.ThrowIfCancellationRequested();
        byte[]? png = null;
        if (options.RenderChangeMap)
        {
            var (_, lostHairs, gainedHairs) = MatchWithUnmatched(Inside(common, beforeHairPoints), Inside(common, afterHairPoints), tolerance, options.SignificanceZ);
            png = ChangeMapRenderer.Render(before.Image.Bgr, common, beforeHair, afterHairWarped, options.ChangeMapTolerancePixels,
                lostHairs.Select(x => (x.Emergence.X, x.Emergence.Y)).ToList(), gainedHairs.Select(x => (x.Emergence.X, x.Emergence.Y)).ToList(), tolerance);
        }

        var message = $"Hairs {overall.Hairs.BeforeCount} -> {overall.Hairs.AfterCount} ({Describe(overall.Hairs)}) over {commonFraction:P0} of the before photo's analysable area.";
        return new ChangeResult(true, message, registration, commonPixels, commonFraction,
            scale is null ? null : commonPixels * scale.SquareMillimetresPerPixel,
            overall, regions, png, ChangeMapRenderer.Legend, warnings);
    }

    private static string Describe(CountChange c) => c.Significance switch
    {
        ChangeSignificance.Increase => $"significant increase, z = {c.ZScore:F1}",
        ChangeSignificance.Decrease => $"significant decrease, z = {c.ZScore:F1}",
        _ => $"no significant change, z = {c.ZScore:F1}",
    };

    private static ChangeResult NotCompared(RegistrationResult registration, string message, List<PipelineWarning> warnings) =>
        new(false, message, registration, 0, 0, null, null, [], null, ChangeMapRenderer.Legend, warnings);

    private static Mat? WarpLabels(Mat? labels, Mat hMat, Size size)
    {
        if (labels is null)
        {
            return null;
        }

        var warped = new Mat();
        Cv2.WarpPerspective(labels, warped, hMat, size, InterpolationFlags.Nearest, BorderTypes.Constant, Scalar.All((byte)RegionClass.OffScalp));
        return warped;
    }

    private static Mat? RegionPartition(ComparisonSide before, ComparisonSide after, Mat hMat, Size size, List<PipelineWarning> warnings)
    {
        if (before.RegionLabels is not null)
        {
            return before.RegionLabels.Clone();
        }

        if (after.RegionLabels is not null)
        {
            warnings.Add(new PipelineWarning("regions-from-after", "Regions come from the after photo (the before photo has no region map)."));
            return WarpLabels(after.RegionLabels, hMat, size);
        }

        return null;
    }

    /// <summary>
    /// Bald = Hairless-labelled pixels when both visits carry region labels; otherwise pixels
    /// farther than <see cref="ChangeOptions.BaldRadiusMillimetres"/> from any hair when a scale
    /// exists; otherwise not measured (no mm are invented).
    /// </summary>
    private static bool BuildBaldMaps(ComparisonSide before, Mat? afterLabelsWarped, bool labelsBothSides, Mat beforeHair, Mat afterHairWarped, Scale? scale, ChangeOptions options, Mat baldBefore, Mat baldAfter, List<PipelineWarning> warnings)
    {
        if (labelsBothSides)
        {
            var hairless = new Scalar((byte)RegionClass.Hairless);
            Cv2.InRange(before.RegionLabels!, hairless, hairless, baldBefore);
            Cv2.InRange(afterLabelsWarped!, hairless, hairless, baldAfter);
            return true;
        }

        if (scale is null)
        {
            warnings.Add(new PipelineWarning("bald-area-not-measured", "Bald area needs region maps on both photos or a scale; it is omitted."));
            return false;
        }

        var radius = options.BaldRadiusMillimetres * scale.PixelsPerMillimetre;
        FarFrom(beforeHair, radius, baldBefore);
        FarFrom(afterHairWarped, radius, baldAfter);
        return true;
    }

    private static void FarFrom(Mat hair, double radiusPixels, Mat dst)
    {
        using var inverted = new Mat();
        Cv2.BitwiseNot(hair, inverted);
        using var distance = new Mat();
        Cv2.DistanceTransform(inverted, distance, DistanceTypes.L2, DistanceTransformMasks.Mask5);
        Cv2.Threshold(distance, distance, radiusPixels, 255, ThresholdTypes.Binary);
        distance.ConvertTo(dst, MatType.CV_8UC1);
    }

    private static double MatchTolerancePixels(ComparisonSide before, ChangeOptions options) => MatchTolerancePixels(before.Hairs, options);

    /// <summary>Hair-matching distance: <see cref="ChangeOptions.HairMatchToleranceWidths"/> median shaft widths of these hairs, at least the minimum.</summary>
    internal static double MatchTolerancePixels(IEnumerable<Measurement.HairInstance> hairs, ChangeOptions options)
    {
        var widths = hairs.Select(x => x.WidthPixels).Where(w => w > 0).ToList();
        var medianWidth = widths.Count > 0 ? ImageRegistration.Median(widths) : 0;
        return Math.Max(options.MinHairMatchTolerancePixels, options.HairMatchToleranceWidths * medianWidth);
    }

    private static RegionChange Measure(
        RegionClass? region,
        Mat area,
        List<Shaft> beforeHairs,
        List<Shaft> afterHairs,
        List<Shaft> beforeUnits,
        List<Shaft> afterUnits,
        Mat beforeHair,
        Mat afterHair,
        Mat? baldBefore,
        Mat baldAfter,
        Scale? scale,
        double tolerancePixels,
        ChangeOptions options)
    {
        long areaPixels = Cv2.CountNonZero(area);
        var bh = Inside(area, beforeHairs);
        var ah = Inside(area, afterHairs);
        var hairs = Count(bh.Count, ah.Count, areaPixels, scale, options.SignificanceZ);
        var units = Count(Inside(area, beforeUnits).Count, Inside(area, afterUnits).Count, areaPixels, scale, options.SignificanceZ);
        var coverage = Area(CountIn(beforeHair, area), CountIn(afterHair, area), areaPixels, scale);
        var bald = baldBefore is null ? null : Area(CountIn(baldBefore, area), CountIn(baldAfter, area), areaPixels, scale);
        var matching = Match(bh, ah, tolerancePixels, options.SignificanceZ);
        return new RegionChange(region, areaPixels, scale is null ? null : areaPixels * scale.SquareMillimetresPerPixel, hairs, units, coverage, bald, matching);
    }

    private static long CountIn(Mat mask, Mat area)
    {
        using var both = new Mat();
        Cv2.BitwiseAnd(mask, area, both);
        return Cv2.CountNonZero(both);
    }

    private static List<Shaft> Inside(Mat area, List<Shaft> points)
    {
        var inside = new List<Shaft>();
        foreach (var p in points)
        {
            var x = (int)Math.Floor(p.Emergence.X);
            var y = (int)Math.Floor(p.Emergence.Y);
            if (x >= 0 && y >= 0 && x < area.Cols && y < area.Rows && area.At<byte>(y, x) != 0)
            {
                inside.Add(p);
            }
        }

        return inside;
    }

    internal static CountChange Count(int before, int after, long areaPixels, Scale? scale, double significanceZ)
    {
        var difference = after - before;
        var seDifference = Math.Sqrt(before + after);
        var z = seDifference > 0 ? difference / seDifference : 0;
        double? relative = before > 0 ? (double)difference / before : null;
        // Delta method for after/before; with no hairs after it degenerates, so fall back to SE(diff)/before.
        double? relativeSe = before > 0
            ? after > 0 ? (double)after / before * Math.Sqrt(1.0 / after + 1.0 / before) : seDifference / before
            : null;
        double? areaCm2 = scale is null || areaPixels == 0 ? null : scale.PixelsToSquareCentimetres(areaPixels);
        return new CountChange(before, after, difference, Math.Sqrt(before), Math.Sqrt(after), seDifference, relative, relativeSe, z,
            Significance(z, significanceZ),
            before / areaCm2, after / areaCm2, difference / areaCm2, seDifference / areaCm2);
    }

    private static ChangeSignificance Significance(double z, double threshold) =>
        Math.Abs(z) < threshold ? ChangeSignificance.NoSignificantChange : z > 0 ? ChangeSignificance.Increase : ChangeSignificance.Decrease;

    private static AreaChange Area(long beforePixels, long afterPixels, long areaPixels, Scale? scale)
    {
        double fb = areaPixels > 0 ? (double)beforePixels / areaPixels : 0;
        double fa = areaPixels > 0 ? (double)afterPixels / areaPixels : 0;
        double? mm2 = scale?.SquareMillimetresPerPixel;
        return new AreaChange(fb, fa, fa - fb, beforePixels * mm2, afterPixels * mm2, (afterPixels - beforePixels) * mm2);
    }

    /// <summary>Greedy one-to-one matching by increasing distance (closest pairs first).</summary>
    internal static HairMatchSummary Match(List<Shaft> before, List<Shaft> after, double tolerancePixels, double significanceZ) =>
        MatchWithUnmatched(before, after, tolerancePixels, significanceZ).Summary;

    /// <summary>Greedy matching; also returns the unmatched before (lost) and after (gained) points.</summary>
    internal static (HairMatchSummary Summary, List<Shaft> Lost, List<Shaft> Gained) MatchWithUnmatched(
        List<Shaft> before, List<Shaft> after, double tolerancePixels, double significanceZ)
    {
        var matchedPairs = MatchPairs(before, after, tolerancePixels);
        var usedB = new bool[before.Count];
        var usedA = new bool[after.Count];
        foreach (var (b, a) in matchedPairs)
        {
            usedB[b] = usedA[a] = true;
        }

        var matched = matchedPairs.Count;
        var lost = before.Count - matched;
        var gained = after.Count - matched;
        var se = Math.Sqrt(lost + gained);
        var z = se > 0 ? (gained - lost) / se : 0;
        var summary = new HairMatchSummary(matched, lost, gained, tolerancePixels, z, Significance(z, significanceZ));
        return (summary, before.Where((_, i) => !usedB[i]).ToList(), after.Where((_, j) => !usedA[j]).ToList());
    }

    /// <summary>Greedy one-to-one matching by increasing distance; returns (before index, after index) pairs.</summary>
    internal static List<(int Before, int After)> MatchPairs(List<Shaft> before, List<Shaft> after, double tolerancePixels)
        => MatchGreedy(before.Count, after.Count, (i, j) => Shaft.SquaredDistance(before[i], after[j]), tolerancePixels * tolerancePixels, new bool[before.Count], new bool[after.Count]);

    /// <summary>
    /// Greedy one-to-one matching: every pair of unused items within <paramref name="maxDistance"/>,
    /// closest first; each item joins at most one pair. Marks the items it pairs as used.
    /// </summary>
    internal static List<(int Before, int After)> MatchGreedy(int beforeCount, int afterCount, Func<int, int, double> distance, double maxDistance, bool[] usedBefore, bool[] usedAfter)
    {
        var candidates = new List<(double D, int B, int A)>();
        for (var i = 0; i < beforeCount; i++)
        {
            if (usedBefore[i])
            {
                continue;
            }

            for (var j = 0; j < afterCount; j++)
            {
                if (usedAfter[j])
                {
                    continue;
                }

                var d = distance(i, j);
                if (d <= maxDistance)
                {
                    candidates.Add((d, i, j));
                }
            }
        }

        candidates.Sort((p, q) => p.D.CompareTo(q.D));
        var matched = new List<(int Before, int After)>();
        foreach (var (_, b, a) in candidates)
        {
            if (!usedBefore[b] && !usedAfter[a])
            {
                usedBefore[b] = usedAfter[a] = true;
                matched.Add((b, a));
            }
        }

        return matched;
    }
}

/// <summary>A hair as two end points in before-photo pixels (a unit: both ends at its centre).</summary>
internal readonly record struct Shaft(PointPixels Emergence, PointPixels Tip)
{
    /// <summary>
    /// Squared distance between two hairs: the closest pair of their end points. A detector may
    /// swap emergence and tip of the same shaft between visits (short shaved shafts look alike at
    /// both ends), so comparing emergence points alone would lose such a hair and gain it again.
    /// </summary>
    public static double SquaredDistance(Shaft a, Shaft b) =>
        Math.Min(Math.Min(D2(a.Emergence, b.Emergence), D2(a.Emergence, b.Tip)), D2(a.Tip, b.Emergence));

    private static double D2(PointPixels p, PointPixels q) => (p.X - q.X) * (p.X - q.X) + (p.Y - q.Y) * (p.Y - q.Y);
}
