using System.Globalization;
using OpenCvSharp;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Measurement.Colour;
using SmpVision.Pipeline.Model;
using SmpVision.Pipeline.Synthetic;

namespace SmpVision.Tools.Commands;

/// <summary>
/// <c>eval-trichoscopy --synthetic PRESET</c>: generates frames in memory (encoded and decoded as
/// the generator writes them), runs the trichoscopy analysis with the exact scale and compares it
/// with the exact truth under the same edge rule (<see cref="SyntheticEdgeRule"/>): hair and FU
/// counts, mean shaft width, ITA; and matches each detected hair to a truth hair to say why counts
/// differ (missed, merged into a neighbour, false, split, edge-rule disagreement, emergence at the
/// wrong end).
/// </summary>
internal static class SyntheticEvaluation
{
    /// <summary>Set by --debug: one line per missed hair and per emergence at the wrong end.</summary>
    private static bool s_debug;

    private sealed record FrameStats(
        int Seed, int TruthCount, int Counted, int TruthUnits, int Units, double? TruthWidth, double? Width, double TruthIta, double? Ita,
        int Missed, int Merged, int False, int Split, int RuleTruthOnly, int RuleDetectorOnly, int EmergenceFlipped, int Matched, List<double> WidthRatios, double? SkinDeltaE2000 = null);

    public static int Run(IReadOnlyList<string> args)
    {
        string preset = "clean";
        int seed = 301, count = 6;
        int? width = null, height = null;
        double? ppm = null;
        string? overlays = null;
        bool verbose = false;
        var overrides = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--synthetic": preset = args[++i]; break;
                case "--seed": seed = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--count": count = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--width": width = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--height": height = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--ppm": ppm = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--overlays": overlays = args[++i]; break;
                case "--verbose": verbose = true; break;
                case "--debug": s_debug = true; break;
                case "--option": overrides.Add(args[++i]); break;
                default:
                    Console.Error.WriteLine($"Unknown argument {args[i]}.");
                    return 2;
            }
        }

        if (overlays is not null)
        {
            Directory.CreateDirectory(overlays);
        }

        var options = new TrichoscopyOptions();
        foreach (var o in overrides)
        {
            EvalTrichoscopyCommand.ApplyOverride(options, o);
        }
        var stats = new List<FrameStats>();
        for (int k = 0; k < count; k++)
        {
            int s = seed + k;
            var spec = SyntheticPresets.Create(preset, s, width, height, ppm);
            var frame = SyntheticTrichoscopyGenerator.Generate(spec, s);
            var truth = frame.Truth;
            using var mat = Cv2.ImDecode(frame.EncodedImage, ImreadModes.Color);
            using var image = ScalpImage.FromBgr(mat.Clone(), frame.FileExtension == ".jpg" ? ImageFormat.Jpeg : ImageFormat.Png);
            var scale = new Scale(truth.PixelsPerMillimetre, ScaleSource.Request, 0.01, "synthetic");
            using var result = TrichoscopyAnalysis.Run(image, scale, options, CancellationToken.None);
            var st = Compare(s, truth, result, options.HairInstances);
            stats.Add(st);
            if (verbose)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"seed {s}: {spec.HairColour} hair, ITA {truth.SkinItaDegrees:F0} ({SyntheticColour.Band(truth.SkinItaDegrees)}), read {result.HairPolarity} (evidence dark {1000 * result.PolarityEvidence.Dark:F2} light {1000 * result.PolarityEvidence.Light:F2}): count {st.Counted}/{st.TruthCount} FU {st.Units}/{st.TruthUnits} width {st.Width:F1}/{st.TruthWidth:F1} ITA {st.Ita:F1}/{st.TruthIta:F1} | matched {st.Matched} missed {st.Missed} (merged {st.Merged}) false {st.False} (split {st.Split}) rule truth-only {st.RuleTruthOnly} det-only {st.RuleDetectorOnly} emergence flipped {st.EmergenceFlipped}"));
            }

            if (s_debug && result.Colour.Skin is { } skinLab)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  skin L*a*b* {skinLab.L:F1} {skinLab.A:F1} {skinLab.B:F1} truth {truth.SkinLab.L:F1} {truth.SkinLab.A:F1} {truth.SkinLab.B:F1} ({result.Colour.SkinPixelCount} samples)"));
            }

            if (overlays is not null)
            {
                WriteOverlay(mat, truth, result, Path.Combine(overlays, $"{preset}-{s}.png"), options.HairInstances);
                Cv2.ImWrite(Path.Combine(overlays, $"{preset}-{s}-frame.png"), mat);
            }

            Console.Error.Write($"\r{k + 1}/{count} frames");
        }

        Console.Error.WriteLine();
        Console.WriteLine($"preset {preset}, seeds {seed}..{seed + count - 1}, {stats.Min(x => x.TruthCount)}-{stats.Max(x => x.TruthCount)} edge-rule hairs per frame; size {width?.ToString(CultureInfo.InvariantCulture) ?? "default"} ppm {ppm?.ToString(CultureInfo.InvariantCulture) ?? "default"}");
        Summarise("edge-rule hair count", stats.Select(x => ((double)x.Counted, (double)x.TruthCount)), 0.05);
        Summarise("FU count", stats.Select(x => ((double)x.Units, (double)x.TruthUnits)), 0.05);
        Summarise("mean width", stats.Where(x => x.Width is not null && x.TruthWidth is not null).Select(x => (x.Width!.Value, x.TruthWidth!.Value)), 0.15);
        var ita = stats.Where(x => x.Ita is not null).Select(x => x.Ita!.Value - x.TruthIta).ToList();
        var skinDe = stats.Where(x => x.SkinDeltaE2000 is not null).Select(x => x.SkinDeltaE2000!.Value).OrderBy(v => v).ToList();
        // ITA = atan((L* - 50) / b*): on low-chroma skin near L* 50 one unit of L* moves it by ~7 deg,
        // so the skin colour error (CIEDE2000) is printed beside it.
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  ITA error deg: median abs {(ita.Count > 0 ? ita.Select(Math.Abs).OrderBy(v => v).ElementAt(ita.Count / 2) : 0):F1} (target <= 5 deg), mean {ita.DefaultIfEmpty().Average():+0.0;-0.0}, max abs {ita.Select(Math.Abs).DefaultIfEmpty().Max():F1}; skin CIEDE2000 median {(skinDe.Count > 0 ? skinDe[skinDe.Count / 2] : 0):F2}, max {skinDe.DefaultIfEmpty().Max():F2}"));
        Console.WriteLine($"  truth hairs {stats.Sum(x => x.TruthCount)}, matched {stats.Sum(x => x.Matched)}, missed {stats.Sum(x => x.Missed)} (merged {stats.Sum(x => x.Merged)}), false {stats.Sum(x => x.False)} (split {stats.Sum(x => x.Split)}), rule truth-only {stats.Sum(x => x.RuleTruthOnly)}, det-only {stats.Sum(x => x.RuleDetectorOnly)}, emergence flipped {stats.Sum(x => x.EmergenceFlipped)}");
        var ratios = stats.SelectMany(x => x.WidthRatios).OrderBy(r => r).ToList();
        if (ratios.Count > 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  matched width ratio (detected/truth): median {ratios[ratios.Count / 2]:F2}, p10 {ratios[ratios.Count / 10]:F2}, p90 {ratios[9 * ratios.Count / 10]:F2}"));
        }

        return 0;
    }

    /// <summary>Prints one figure's errors with its target (median absolute relative error) and whether it is met.</summary>
    private static void Summarise(string title, IEnumerable<(double Pred, double Truth)> data, double targetMedianAbs)
    {
        var list = data.ToList();
        var abs = list.Select(d => Math.Abs(d.Pred - d.Truth) / Math.Max(1, d.Truth)).OrderBy(x => x).ToList();
        var signed = list.Select(d => (d.Pred - d.Truth) / Math.Max(1, d.Truth)).ToList();
        double median = abs.Count == 0 ? double.NaN : abs.Count % 2 == 1 ? abs[abs.Count / 2] : 0.5 * (abs[(abs.Count / 2) - 1] + abs[abs.Count / 2]);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {title}: median abs {100 * median:F1}% (target <= {100 * targetMedianAbs:F0}%: {(median <= targetMedianAbs ? "met" : "NOT met")}), mean signed {100 * signed.DefaultIfEmpty().Average():+0.0;-0.0}%, max abs {100 * abs.DefaultIfEmpty().Max():F1}%, truth total {list.Sum(d => d.Truth):F0}, detected total {list.Sum(d => d.Pred):F0}"));
    }

    internal static double SegmentDistance(PointPixels p, PointPixels a, PointPixels b)
    {
        double dx = b.X - a.X, dy = b.Y - a.Y;
        double l2 = (dx * dx) + (dy * dy);
        double t = l2 > 0 ? Math.Clamp((((p.X - a.X) * dx) + ((p.Y - a.Y) * dy)) / l2, 0, 1) : 0;
        double ex = a.X + (t * dx) - p.X, ey = a.Y + (t * dy) - p.Y;
        return Math.Sqrt((ex * ex) + (ey * ey));
    }

    internal static double Dist(PointPixels a, PointPixels b) => Math.Sqrt(((a.X - b.X) * (a.X - b.X)) + ((a.Y - b.Y) * (a.Y - b.Y)));

    /// <summary>Both ends of the detected hair lie near the truth shaft (within its width plus ~80 um).</summary>
    internal static double MatchCost(HairInstance det, HairInstance truth, double tolerancePixels)
    {
        double de = SegmentDistance(det.Emergence, truth.Emergence, truth.Tip);
        double dt = SegmentDistance(det.Tip, truth.Emergence, truth.Tip);
        double tol = tolerancePixels + truth.WidthPixels;
        return de <= tol && dt <= tol ? de + dt : double.PositiveInfinity;
    }

    /// <summary>
    /// Greedy one-to-one matching of detected to truth hairs by <see cref="MatchCost"/> (tolerance
    /// ~80 um): every candidate pair, and per truth hair the detection it took (-1 = none) and per
    /// detection its truth hair.
    /// </summary>
    internal static (List<(double Cost, int D, int T)> Pairs, int[] DetOf, int[] TruthOf) Match(SyntheticGroundTruth truth, TrichoscopyResult result)
    {
        double tol = 0.08 * truth.PixelsPerMillimetre;
        var pairs = new List<(double Cost, int D, int T)>();
        for (int d = 0; d < result.Hairs.Count; d++)
        {
            for (int t = 0; t < truth.Hairs.Count; t++)
            {
                double c = MatchCost(result.Hairs[d], truth.Hairs[t], tol);
                if (!double.IsPositiveInfinity(c))
                {
                    pairs.Add((c, d, t));
                }
            }
        }

        var detOf = new int[truth.Hairs.Count];
        var truthOf = new int[result.Hairs.Count];
        Array.Fill(detOf, -1);
        Array.Fill(truthOf, -1);
        foreach (var (_, d, t) in pairs.OrderBy(p => p.Cost))
        {
            if (detOf[t] < 0 && truthOf[d] < 0)
            {
                detOf[t] = d;
                truthOf[d] = t;
            }
        }

        return (pairs, detOf, truthOf);
    }

    private static FrameStats Compare(int seed, SyntheticGroundTruth truth, TrichoscopyResult result, HairInstanceOptions o)
    {
        var (pairs, detOf, truthOf) = Match(truth, result);

        int missed = 0, merged = 0, falseDet = 0, split = 0, ruleTruthOnly = 0, ruleDetOnly = 0, flipped = 0, matched = 0;
        var ratios = new List<double>();
        for (int t = 0; t < truth.Hairs.Count; t++)
        {
            bool tc = SyntheticEdgeRule.Counts(truth, t, o);
            int d = detOf[t];
            if (d < 0)
            {
                if (tc)
                {
                    missed++;
                    if (s_debug)
                    {
                        var tt = truth.Hairs[t];
                        var dd = truth.HairDetails[t];
                        double nearest = result.Hairs.Count == 0 ? double.NaN : result.Hairs.Min(h => Math.Min(SegmentDistance(h.Emergence, tt.Emergence, tt.Tip), SegmentDistance(h.Tip, tt.Emergence, tt.Tip)));
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"   miss seed {seed} hair {t} at ({tt.Emergence.X:F0},{tt.Emergence.Y:F0})->({tt.Tip.X:F0},{tt.Tip.Y:F0}) {dd.Kind} w {dd.WidthMicrometres:F0}um vis {dd.VisibleLengthPixels / truth.PixelsPerMillimetre * 1000:F0}um L* {dd.Lab.L:F0} nearest det end {nearest:F1}px"));
                    }

                    // Merged: a matched detection lies along this shaft (it took a neighbour's place).
                    if (pairs.Any(p => p.T == t))
                    {
                        merged++;
                    }
                }

                continue;
            }

            matched++;
            bool dc = result.Hairs[d].CountedInDensity;
            if (tc && !dc)
            {
                ruleTruthOnly++;
            }
            else if (dc && !tc)
            {
                ruleDetOnly++;
            }

            var th = truth.Hairs[t];
            if (tc && Dist(result.Hairs[d].Emergence, th.Tip) < Dist(result.Hairs[d].Emergence, th.Emergence))
            {
                flipped++;
                if (s_debug)
                {
                    var dd = truth.HairDetails[t];
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"   flip seed {seed} hair {t} at ({th.Emergence.X:F0},{th.Emergence.Y:F0})->({th.Tip.X:F0},{th.Tip.Y:F0}) {dd.Kind} vis {dd.VisibleLengthPixels / truth.PixelsPerMillimetre * 1000:F0}um cut {th.CutByFrameEdge} det cut {result.Hairs[d].CutByFrameEdge}"));
                }
            }

            if (tc && result.Hairs[d].WidthPixels > 0)
            {
                ratios.Add(result.Hairs[d].WidthPixels / th.WidthPixels);
            }
        }

        for (int d = 0; d < result.Hairs.Count; d++)
        {
            if (truthOf[d] < 0 && result.Hairs[d].CountedInDensity)
            {
                falseDet++;
                bool isSplit = pairs.Any(p => p.D == d);
                if (isSplit)
                {
                    split++;
                }

                if (s_debug)
                {
                    var dh = result.Hairs[d];
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"   false seed {seed} det {d} at ({dh.Emergence.X:F0},{dh.Emergence.Y:F0})->({dh.Tip.X:F0},{dh.Tip.Y:F0}) unit {dh.FollicularUnitId} w {dh.WidthPixels:F1}px len {dh.LengthPixels:F0}px{(isSplit ? " split" : string.Empty)} same-opening {result.Hairs.Count(x => x.Id != dh.Id && Dist(x.Emergence, dh.Emergence) < 0.5)}"));
                }
            }
        }

        if (s_debug)
        {
            DebugUnits(seed, truth, result, o, detOf, truthOf);
        }

        return new FrameStats(
            seed, SyntheticEdgeRule.HairCount(truth, o), result.Density.HairCount,
            SyntheticEdgeRule.FollicularUnitCount(truth, o), result.Density.FollicularUnitCount,
            SyntheticEdgeRule.MeanWidthMicrometres(truth, o), result.Density.MeanShaftWidthMicrometres,
            truth.SkinItaDegrees, result.Colour.IndividualTypologyAngleDegrees,
            missed, merged, falseDet, split, ruleTruthOnly, ruleDetOnly, flipped, matched, ratios,
            result.Colour.Skin is { } measuredSkin ? CieLab.DeltaE2000(measuredSkin, truth.SkinLab) : null);
    }

    /// <summary>Index of each truth hair's follicular unit in <see cref="SyntheticGroundTruth.FollicularUnits"/>.</summary>
    internal static int[] UnitOfTruthHair(SyntheticGroundTruth truth)
    {
        var unitOf = new int[truth.Hairs.Count];
        for (int u = 0; u < truth.FollicularUnits.Count; u++)
        {
            foreach (int id in truth.FollicularUnits[u].HairIds)
            {
                unitOf[id] = u;
            }
        }

        return unitOf;
    }

    /// <summary>The frame's median truth shaft width in pixels (1 when there is no hair): the unit distances are printed in.</summary>
    internal static double MedianTruthWidthPixels(SyntheticGroundTruth truth)
    {
        var widths = truth.Hairs.Select(h => h.WidthPixels).OrderBy(x => x).ToList();
        return widths.Count == 0 ? 1 : widths[widths.Count / 2];
    }

    /// <summary>--debug: truth units whose matched hairs fall in several detected units (split) and
    /// detected units holding hairs of several truth units (merged), with the distances between
    /// the openings in the frame's median truth shaft widths.</summary>
    private static void DebugUnits(int seed, SyntheticGroundTruth truth, TrichoscopyResult result, HairInstanceOptions o, int[] detOf, int[] truthOf)
    {
        var unitOfTruthHair = UnitOfTruthHair(truth);
        double wMed = MedianTruthWidthPixels(truth);
        foreach (var tu in truth.FollicularUnits)
        {
            if (!tu.HairIds.Any(id => SyntheticEdgeRule.Counts(truth, id, o)))
            {
                continue;
            }

            var dets = tu.HairIds.Where(id => detOf[id] >= 0).Select(id => detOf[id]).ToList();
            var units = dets.Select(d => result.Hairs[d].FollicularUnitId).Distinct().ToList();
            if (units.Count > 1)
            {
                double maxD = 0;
                foreach (int a in dets)
                {
                    foreach (int b in dets)
                    {
                        maxD = Math.Max(maxD, Dist(result.Hairs[a].Emergence, result.Hairs[b].Emergence));
                    }
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"   fu-split seed {seed} unit at ({tu.Centre.X:F0},{tu.Centre.Y:F0}) {tu.HairIds.Count} hairs -> {units.Count} units, detected openings up to {maxD / wMed:F1} widths apart"));
            }
        }

        foreach (var du in result.FollicularUnits)
        {
            if (!du.HairIds.Any(id => result.Hairs[id].CountedInDensity))
            {
                continue;
            }

            var tus = du.HairIds.Where(id => truthOf[id] >= 0).Select(id => unitOfTruthHair[truthOf[id]]).Distinct().ToList();
            if (tus.Count > 1)
            {
                double minD = double.MaxValue;
                foreach (int a in tus)
                {
                    foreach (int b in tus)
                    {
                        if (a != b)
                        {
                            minD = Math.Min(minD, Dist(truth.FollicularUnits[a].Centre, truth.FollicularUnits[b].Centre));
                        }
                    }
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"   fu-merge seed {seed} unit at ({du.Centre.X:F0},{du.Centre.Y:F0}) holds {tus.Count} truth units, truth openings {minD / wMed:F1} widths apart"));
            }
            else if (du.HairIds.All(id => truthOf[id] < 0))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"   fu-false seed {seed} unit at ({du.Centre.X:F0},{du.Centre.Y:F0}) only false hairs"));
            }
        }
    }

    /// <summary>Full-size PNG: detections as in the manifest overlays (green outline, yellow axis, red
    /// counted emergence, orange uncounted, magenta analysable-area outline), truth emergence as blue rings (filled when the edge rule
    /// counts it) and truth shafts as thin blue lines.</summary>
    private static void WriteOverlay(Mat bgr, SyntheticGroundTruth truth, TrichoscopyResult result, string path, HairInstanceOptions o)
    {
        using var canvas = bgr.Clone();
        Cv2.FindContours(result.HairMask, out var contours, out _, RetrievalModes.External, ContourApproximationModes.ApproxSimple);
        Cv2.DrawContours(canvas, contours, -1, Scalar.Lime, 1);
        Cv2.FindContours(result.AnalysableMask, out var field, out _, RetrievalModes.External, ContourApproximationModes.ApproxSimple);
        Cv2.DrawContours(canvas, field, -1, Scalar.Magenta, 1);
        for (int t = 0; t < truth.Hairs.Count; t++)
        {
            var h = truth.Hairs[t];
            var e = new Point((int)h.Emergence.X, (int)h.Emergence.Y);
            Cv2.Line(canvas, e, new Point((int)h.Tip.X, (int)h.Tip.Y), Scalar.Blue, 1);
            Cv2.Circle(canvas, e, 6, Scalar.Blue, SyntheticEdgeRule.Counts(truth, t, o) ? -1 : 2);
        }

        foreach (var h in result.Hairs)
        {
            var e = new Point((int)h.Emergence.X, (int)h.Emergence.Y);
            Cv2.Line(canvas, e, new Point((int)h.Tip.X, (int)h.Tip.Y), Scalar.Yellow, 1);
            Cv2.Circle(canvas, e, 3, h.CountedInDensity ? Scalar.Red : Scalar.Orange, -1);
        }

        foreach (var u in result.FollicularUnits)
        {
            var c = new Point((int)u.Centre.X, (int)u.Centre.Y);
            Cv2.Circle(canvas, c, 14, Scalar.Cyan, 1);
            Cv2.PutText(canvas, u.HairIds.Count.ToString(CultureInfo.InvariantCulture), c + new Point(15, -6), HersheyFonts.HersheySimplex, 0.6, Scalar.Cyan, 1);
        }

        Cv2.ImWrite(path, canvas);
    }
}
