using OpenCvSharp;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Comparison;

/// <summary>
/// Before/after change of a trichoscopy pair measured in one common geometry: the after photo is
/// resampled into the before photo's pixel grid and colour frame (<see cref="CommonGeometry"/>),
/// the same hair detector runs on it, and <see cref="ChangeAnalysis"/> compares the two detections
/// with an identity map over the area both photos analysed. Measures what
/// <see cref="ChangeAnalysis"/> measures (hair and follicular-unit counts and densities with
/// Poisson errors, paired matching, coverage, bald area, change map); the difference is that the
/// detector's errors are now nearly the same on both visits and cancel in the change, as in
/// within-subject longitudinal imaging (Reuter et al. 2012) and paired phototrichogram counting
/// (Bokhari et al. 2022, docs/DOMAIN-SOURCES.md). The per-photo analyses are left untouched.
/// With <see cref="ChangeOptions.Differential"/> enabled (default) the paired detections are then
/// adjusted by differencing the two visits (<see cref="DifferentialChange"/>, Radke et al. 2005):
/// a hair detected on one visit only whose shaft did not change is counted on both (no change);
/// a changed shaft-shaped region no unpaired detection explains is counted as an added (or lost)
/// hair. The result's <see cref="ChangeResult.Differential"/> says how many of each.
/// </summary>
internal static class CommonGeometryComparison
{
    /// <param name="before">The before photo.</param>
    /// <param name="beforeAnalysis">Its trichoscopy analysis (borrowed).</param>
    /// <param name="beforeLabels">Optional 8UC1 region labels of the before photo.</param>
    /// <param name="after">The after photo, in its own geometry.</param>
    /// <param name="afterAnalysableMask">8UC1, the after photo's own analysable area (its geometry): overlays, rim and glare of the after photo stay excluded.</param>
    /// <param name="afterLabels">Optional 8UC1 region labels of the after photo (its geometry); warped into the before geometry.</param>
    /// <param name="registration">After-to-before registration; when refused, nothing is compared.</param>
    /// <param name="trichoscopyOptions">Detector options (the same as the per-photo analysis).</param>
    /// <param name="changeOptions">Change options, with the resampling and colour options in <see cref="ChangeOptions.CommonGeometry"/>.</param>
    /// <param name="ct">Cancellation.</param>
    /// <returns>The change (its <see cref="ChangeResult.Registration"/> is <paramref name="registration"/>).</returns>
    public static ChangeResult CompareTrichoscopy(
        ScalpImage before,
        TrichoscopyResult beforeAnalysis,
        Mat? beforeLabels,
        ScalpImage after,
        Mat afterAnalysableMask,
        Mat? afterLabels,
        RegistrationResult registration,
        TrichoscopyOptions trichoscopyOptions,
        ChangeOptions changeOptions,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(beforeAnalysis);
        ArgumentNullException.ThrowIfNull(after);
        ArgumentNullException.ThrowIfNull(afterAnalysableMask);
        ArgumentNullException.ThrowIfNull(registration);
        ArgumentNullException.ThrowIfNull(trichoscopyOptions);
        ArgumentNullException.ThrowIfNull(changeOptions);
        var errors = changeOptions.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid change options: " + string.Join(" ", errors), nameof(changeOptions));
        }

        var beforeSide = ComparisonSide.FromTrichoscopy(before, beforeAnalysis, beforeLabels);
        if (!registration.Succeeded || registration.HomographyAfterToBefore is not { } h)
        {
            // ChangeAnalysis words the refusal; the after side is only validated there.
            using var emptyHair = new Mat(after.HeightPixels, after.WidthPixels, MatType.CV_8UC1, Scalar.All(0));
            return ChangeAnalysis.Compare(beforeSide, new ComparisonSide(after, afterAnalysableMask, emptyHair, [], []), registration, changeOptions, ct);
        }

        var options = changeOptions.CommonGeometry;
        using var resampled = CommonGeometry.ResampleAfter(before, beforeAnalysis.AnalysableMask, after, h, options, ct);
        ct.ThrowIfCancellationRequested();

        // One effective resolution for both visits: blur the sharper one (see CommonGeometryOptions.MatchSharpness).
        var owned = new List<IDisposable>();
        try
        {
            var beforeImageUsed = before;
            var beforeUsed = beforeAnalysis;
            if (options.MatchSharpness)
            {
                using var statsMask = new Mat();
                Cv2.BitwiseAnd(beforeAnalysis.AnalysableMask, resampled.CoveredCore, statsMask);
                if (Cv2.CountNonZero(statsMask) > 0)
                {
                    var (blurBefore, sigma) = CommonGeometry.SharpnessMatch(before.Bgr, resampled.Image.Bgr, statsMask, options.MaxMatchingBlurSigmaPixels);
                    if (sigma > 0 && blurBefore)
                    {
                        var blurred = new Mat();
                        Cv2.GaussianBlur(before.Bgr, blurred, new Size(0, 0), sigma);
                        beforeImageUsed = ScalpImage.FromBgr(blurred, before.Info.Format);
                        owned.Add(beforeImageUsed);
                        beforeUsed = TrichoscopyAnalysis.Run(beforeImageUsed, beforeAnalysis.Scale, trichoscopyOptions, ct);
                        owned.Add(beforeUsed);
                    }
                    else if (sigma > 0)
                    {
                        Cv2.GaussianBlur(resampled.Image.Bgr, resampled.Image.Bgr, new Size(0, 0), sigma);
                    }
                }
            }

            ct.ThrowIfCancellationRequested();
            // Same detector, same scale (the before photo's: the geometry is now the before photo's).
            var afterUsed = TrichoscopyAnalysis.Run(resampled.Image, beforeAnalysis.Scale, trichoscopyOptions, ct);
            owned.Add(afterUsed);
            if (options.ShareReferenceWidth)
            {
                // The detector reads a frame-wide single-shaft width and calls a region two
                // overlapping shafts when it is wider than that; two visits reading slightly
                // different widths flip that call on borderline shafts. Both visits get the larger
                // of the two (as a floor, which the detector applies after measuring), so the call
                // is made against one width; only the visit with the smaller reading is run again.
                var sizingPpm = beforeAnalysis.Scale?.PixelsPerMillimetre ?? trichoscopyOptions.HairSegmentation.NominalPixelsPerMillimetre;
                double widthBefore = beforeUsed.ReferenceShaftWidthPixels, widthAfter = afterUsed.ReferenceShaftWidthPixels;
                if (Math.Abs(widthBefore - widthAfter) > 1e-3 * Math.Max(widthBefore, widthAfter))
                {
                    var shared = trichoscopyOptions with
                    {
                        HairInstances = trichoscopyOptions.HairInstances with
                        {
                            MinReferenceShaftWidthMicrometres = Math.Max(widthBefore, widthAfter) * 1000.0 / sizingPpm,
                        },
                    };
                    ct.ThrowIfCancellationRequested();
                    if (widthBefore < widthAfter)
                    {
                        beforeUsed = TrichoscopyAnalysis.Run(beforeImageUsed, beforeAnalysis.Scale, shared, ct);
                        owned.Add(beforeUsed);
                    }
                    else
                    {
                        afterUsed = TrichoscopyAnalysis.Run(resampled.Image, beforeAnalysis.Scale, shared, ct);
                        owned.Add(afterUsed);
                    }
                }
            }

            ct.ThrowIfCancellationRequested();
            var sizingPpmUsed = beforeAnalysis.Scale?.PixelsPerMillimetre ?? trichoscopyOptions.HairSegmentation.NominalPixelsPerMillimetre;
            return CompareResampled(before, beforeImageUsed, beforeUsed, beforeLabels, resampled, afterUsed, afterAnalysableMask, afterLabels, h, registration, changeOptions, sizingPpmUsed, ct);
        }
        finally
        {
            foreach (var d in owned)
            {
                d.Dispose();
            }
        }
    }

    private static ChangeResult CompareResampled(
        ScalpImage before,
        ScalpImage beforeMeasured,
        TrichoscopyResult beforeAnalysis,
        Mat? beforeLabels,
        ResampledAfter resampled,
        TrichoscopyResult afterAnalysis,
        Mat afterAnalysableMask,
        Mat? afterLabels,
        double[] h,
        RegistrationResult registration,
        ChangeOptions changeOptions,
        double sizingPixelsPerMillimetre,
        CancellationToken ct)
    {
        var beforeSide = ComparisonSide.FromTrichoscopy(before, beforeAnalysis, beforeLabels);

        var size = new Size(before.WidthPixels, before.HeightPixels);
        using var hMat = KnownWarp.ToMat(h);
        using var afterMask = new Mat();
        Cv2.WarpPerspective(afterAnalysableMask, afterMask, hMat, size, InterpolationFlags.Nearest, BorderTypes.Constant, Scalar.All(0));
        Cv2.BitwiseAnd(afterMask, resampled.CoveredCore, afterMask);
        Cv2.BitwiseAnd(afterMask, afterAnalysis.AnalysableMask, afterMask);
        using var afterLabelsWarped = afterLabels is null ? null : new Mat();
        if (afterLabels is not null)
        {
            Cv2.WarpPerspective(afterLabels, afterLabelsWarped!, hMat, size, InterpolationFlags.Nearest, BorderTypes.Constant, Scalar.All((byte)RegionClass.OffScalp));
        }

        var paired = PairHairsDetailed(beforeAnalysis.Hairs, afterAnalysis.Hairs, ChangeAnalysis.MatchTolerancePixels(beforeAnalysis.Hairs, changeOptions));
        var beforeHairs = paired.Before;
        var afterHairs = paired.After;
        var beforeUnits = UnitsHolding(beforeAnalysis.FollicularUnits, beforeHairs);
        var afterUnits = UnitsHolding(afterAnalysis.FollicularUnits, afterHairs);
        DifferentialChangeSummary? summary = null;
        if (changeOptions.Differential.Enabled)
        {
            ct.ThrowIfCancellationRequested();
            using var compared = new Mat();
            Cv2.BitwiseAnd(beforeAnalysis.AnalysableMask, afterMask, compared);
            var evidence = DifferentialChange.Find(beforeMeasured.Bgr, resampled.Image.Bgr, compared, beforeAnalysis.HairMask, afterAnalysis.HairMask,
                paired.BeforeUnpaired, paired.AfterUnpaired, sizingPixelsPerMillimetre, Math.Max(beforeAnalysis.ReferenceShaftWidthPixels, afterAnalysis.ReferenceShaftWidthPixels),
                changeOptions.Differential, ct);
            // Unexplained changed shafts are hairs the detector gave no instance of its own: counted on
            // the visit that has them (gained: after; lost: before), so paired and count statistics see them.
            var nextId = beforeAnalysis.Hairs.Concat(afterAnalysis.Hairs).Select(x => x.Id).DefaultIfEmpty(0).Max() + 1;
            // A detection on one visit only whose shaft did not change in the difference was there on
            // both visits (the other detection missed it, or split a touching pair differently): it
            // is counted on both, at its own end points, so it is no change.
            var afterOnlyUnchanged = paired.AfterUnpaired.Where((x, j) => x.CountedInDensity && !evidence.AfterUnpairedSupported[j]).ToList();
            var beforeOnlyUnchanged = paired.BeforeUnpaired.Where((x, i) => x.CountedInDensity && !evidence.BeforeUnpairedSupported[i]).ToList();
            beforeHairs = [.. beforeHairs, .. afterOnlyUnchanged.Select(x => x with { Id = nextId++ })];
            afterHairs = [.. afterHairs, .. beforeOnlyUnchanged.Select(x => x with { Id = nextId++ })];
            beforeHairs = [.. beforeHairs, .. evidence.Shafts.Where(x => !x.Gained).SelectMany(x => Enumerable.Range(0, x.UnexplainedCount).Select(_ => DifferentialHair(x, nextId++, beforeAnalysis.Hairs)))];
            afterHairs = [.. afterHairs, .. evidence.Shafts.Where(x => x.Gained).SelectMany(x => Enumerable.Range(0, x.UnexplainedCount).Select(_ => DifferentialHair(x, nextId++, beforeAnalysis.Hairs)))];
            summary = new DifferentialChangeSummary(
                afterOnlyUnchanged.Count, beforeOnlyUnchanged.Count,
                evidence.Shafts.Where(x => x.Gained).Sum(x => x.ShaftCount), evidence.Shafts.Where(x => x.Gained).Sum(x => x.UnexplainedCount),
                evidence.Shafts.Where(x => !x.Gained).Sum(x => x.ShaftCount), evidence.Shafts.Where(x => !x.Gained).Sum(x => x.UnexplainedCount),
                evidence.NoiseSigmaLightness, evidence.ThresholdLightness);
        }

        beforeSide = beforeSide with { Hairs = beforeHairs, Units = beforeUnits };
        var afterSide = new ComparisonSide(resampled.Image, afterMask, afterAnalysis.HairMask, afterHairs, afterUnits,
            afterLabelsWarped, beforeAnalysis.Scale, Modality.Trichoscopy);
        var identity = registration with { HomographyAfterToBefore = [1, 0, 0, 0, 1, 0, 0, 0, 1] };
        var change = ChangeAnalysis.Compare(beforeSide, afterSide, identity, changeOptions, ct);
        return change with { Registration = registration, Differential = summary };
    }

    /// <summary>
    /// A changed shaft as a counted hair. Its emergence is the end nearer a detected before hair's
    /// emergence (a hair added to a unit leaves the unit's opening), else the first end.
    /// </summary>
    private static HairInstance DifferentialHair(ChangedShaft shaft, int id, IReadOnlyList<HairInstance> beforeHairs)
    {
        static double D2(PointPixels p, PointPixels q) => ((p.X - q.X) * (p.X - q.X)) + ((p.Y - q.Y) * (p.Y - q.Y));
        var d1 = beforeHairs.Select(x => D2(x.Emergence, shaft.End1)).DefaultIfEmpty(double.MaxValue).Min();
        var d2 = beforeHairs.Select(x => D2(x.Emergence, shaft.End2)).DefaultIfEmpty(double.MaxValue).Min();
        var (emergence, tip) = d2 < d1 ? (shaft.End2, shaft.End1) : (shaft.End1, shaft.End2);
        return new HairInstance(id, emergence, tip, shaft.LengthPixels, shaft.MeanWidthPixels, -1, false) { CountedInDensity = true };
    }

    /// <summary>
    /// Decides which hairs each visit counts, as pairs. Both detections are on one pixel grid, so a
    /// before hair and an after hair within the matching tolerance are the same hair; the pair is
    /// counted on both visits when either detection saw its emergence (the edge-cut rule of
    /// <see cref="HairInstance.CountedInDensity"/> flips on a few pixels of jitter), and the after
    /// hair takes the before hair's end points, so the pair falls inside or outside a compared area
    /// together. Unpaired hairs keep their own detection's rule. A hair present on both visits can
    /// then only change the count if it is missed on one, which is the detector's real miss rate.
    /// </summary>
    internal static (List<HairInstance> Before, List<HairInstance> After) PairHairs(IReadOnlyList<HairInstance> before, IReadOnlyList<HairInstance> after, double tolerancePixels)
    {
        var paired = PairHairsDetailed(before, after, tolerancePixels);
        return (paired.Before, paired.After);
    }

    /// <summary><see cref="PairHairs"/>, plus every detection (counted or not) left without a partner on each visit.</summary>
    internal static PairedHairs PairHairsDetailed(IReadOnlyList<HairInstance> before, IReadOnlyList<HairInstance> after, double tolerancePixels)
    {
        var beforeShafts = before.Select(x => new Shaft(x.Emergence, x.Tip)).ToList();
        var afterShafts = after.Select(x => new Shaft(x.Emergence, x.Tip)).ToList();
        var countBefore = before.Select(x => x.CountedInDensity).ToArray();
        var countAfter = after.Select(x => x.CountedInDensity).ToArray();
        var afterHairs = after.ToArray();
        var pairs = ChangeAnalysis.MatchPairs(beforeShafts, afterShafts, tolerancePixels);
        pairs.AddRange(MatchOverlappingShafts(beforeShafts, afterShafts, pairs, tolerancePixels));
        foreach (var (b, a) in pairs)
        {
            var counted = countBefore[b] || countAfter[a];
            countBefore[b] = countAfter[a] = counted;
            afterHairs[a] = afterHairs[a] with { Emergence = before[b].Emergence, Tip = before[b].Tip };
        }

        var pairedBefore = new bool[before.Count];
        var pairedAfter = new bool[after.Count];
        foreach (var (b, a) in pairs)
        {
            pairedBefore[b] = pairedAfter[a] = true;
        }

        return new PairedHairs(
            before.Where((_, i) => countBefore[i]).ToList(),
            afterHairs.Where((_, j) => countAfter[j]).ToList(),
            before.Where((_, i) => !pairedBefore[i]).ToList(),
            after.Where((_, j) => !pairedAfter[j]).ToList());
    }

    /// <summary>
    /// Second pass for hairs the end-point match left unpaired: the same shaft detected with a
    /// different extent (an end cut off by a neighbour, or emergence and tip read at other places)
    /// still lies along the same line. Two shafts pair when both ends of the shorter lie within the
    /// tolerance of the longer's segment; closest first, one to one.
    /// </summary>
    internal static List<(int Before, int After)> MatchOverlappingShafts(List<Shaft> before, List<Shaft> after, List<(int Before, int After)> matched, double tolerancePixels)
    {
        var usedB = new bool[before.Count];
        var usedA = new bool[after.Count];
        foreach (var (b, a) in matched)
        {
            usedB[b] = usedA[a] = true;
        }

        return ChangeAnalysis.MatchGreedy(before.Count, after.Count, (i, j) => OverlapDistance(before[i], after[j]), tolerancePixels, usedB, usedA);
    }

    /// <summary>Largest distance from an end of the shorter shaft to the longer shaft's segment, pixels.</summary>
    private static double OverlapDistance(Shaft a, Shaft b)
    {
        var (shorter, longer) = Length(a) <= Length(b) ? (a, b) : (b, a);
        return Math.Max(PointToSegment(shorter.Emergence, longer), PointToSegment(shorter.Tip, longer));
    }

    private static double Length(Shaft s) => Math.Sqrt(((s.Tip.X - s.Emergence.X) * (s.Tip.X - s.Emergence.X)) + ((s.Tip.Y - s.Emergence.Y) * (s.Tip.Y - s.Emergence.Y)));

    private static double PointToSegment(PointPixels p, Shaft s)
    {
        double dx = s.Tip.X - s.Emergence.X, dy = s.Tip.Y - s.Emergence.Y;
        var length2 = (dx * dx) + (dy * dy);
        var t = length2 > 0 ? Math.Clamp((((p.X - s.Emergence.X) * dx) + ((p.Y - s.Emergence.Y) * dy)) / length2, 0, 1) : 0;
        double x = s.Emergence.X + (t * dx), y = s.Emergence.Y + (t * dy);
        return Math.Sqrt(((p.X - x) * (p.X - x)) + ((p.Y - y) * (p.Y - y)));
    }

    private static List<FollicularUnit> UnitsHolding(IReadOnlyList<FollicularUnit> units, List<HairInstance> hairs)
    {
        var ids = hairs.Select(h => h.Id).ToHashSet();
        return units.Where(u => u.HairIds.Any(ids.Contains)).ToList();
    }
}

/// <summary>Result of pairing two visits' detections.</summary>
/// <param name="Before">Before hairs counted.</param>
/// <param name="After">After hairs counted (a paired one carries its before partner's end points).</param>
/// <param name="BeforeUnpaired">Before detections (counted or not) with no after partner.</param>
/// <param name="AfterUnpaired">After detections (counted or not) with no before partner, at their own end points.</param>
internal sealed record PairedHairs(List<HairInstance> Before, List<HairInstance> After, List<HairInstance> BeforeUnpaired, List<HairInstance> AfterUnpaired);
