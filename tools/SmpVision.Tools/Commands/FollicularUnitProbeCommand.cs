using System.Globalization;
using OpenCvSharp;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Model;
using SmpVision.Pipeline.Synthetic;

namespace SmpVision.Tools.Commands;

/// <summary>
/// <c>fu-probe</c>: why generated frames' follicular-unit counts differ from the truth (session 13,
/// tri22). Matches detected hairs to truth hairs as <c>eval-trichoscopy</c> does and sorts every
/// counted truth unit into: found whole, split (its matched hairs fall into several detected units;
/// with or without a hair whose opening was placed at its tip end), lost (no matched hair, or only
/// uncounted ones), and every counted detected unit holding hairs of several truth units (merged).
/// One line per frame, totals at the end; <c>--detail</c> prints each split unit's hairs.
/// </summary>
internal sealed class FollicularUnitProbeCommand : IToolCommand
{
    public string Name => "fu-probe";

    public string Usage => "fu-probe --synthetic PRESET --seed S --count N [--width W --height H --ppm P] [--detail] [--option Stage.Name=value ...]";

    public int Run(IReadOnlyList<string> args)
    {
        string preset = "mixed";
        int seed = 1401, count = 1;
        int? width = null, height = null;
        double? ppm = null;
        bool detail = false;
        var options = new TrichoscopyOptions();
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--synthetic": preset = args[++i]; break;
                case "--seed": seed = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--count": count = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--width": width = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--height": height = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--ppm": ppm = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--detail": detail = true; break;
                case "--option": EvalTrichoscopyCommand.ApplyOverride(options, args[++i]); break;
                default:
                    Console.Error.WriteLine($"Unknown argument {args[i]}.");
                    return 2;
            }
        }

        var totals = new Dictionary<string, int>();
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
            var c = Probe(s, truth, result, options.HairInstances, detail);
            foreach (var (key, v) in c)
            {
                totals[key] = totals.GetValueOrDefault(key) + v;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"seed {s}: {spec.HairColour} read {result.HairPolarity} FU {result.Density.FollicularUnitCount}/{SyntheticEdgeRule.FollicularUnitCount(truth, options.HairInstances)} {string.Join(' ', c.OrderBy(x => x.Key, StringComparer.Ordinal).Select(x => $"{x.Key} {x.Value}"))}"));
        }

        Console.WriteLine("totals " + string.Join(' ', totals.OrderBy(x => x.Key, StringComparer.Ordinal).Select(x => $"{x.Key} {x.Value}")));
        return 0;
    }

    private static Dictionary<string, int> Probe(int seed, SyntheticGroundTruth truth, TrichoscopyResult result, HairInstanceOptions o, bool detail)
    {
        var c = new Dictionary<string, int>();
        void Add(string key, int v = 1) => c[key] = c.GetValueOrDefault(key) + v;
        var (_, detOf, truthOf) = SyntheticEvaluation.Match(truth, result);

        var unitOfTruthHair = SyntheticEvaluation.UnitOfTruthHair(truth);
        double wMed = SyntheticEvaluation.MedianTruthWidthPixels(truth);
        var unitSize = result.FollicularUnits.ToDictionary(u => u.Id, u => u.HairIds.Count);
        foreach (var tu in truth.FollicularUnits)
        {
            if (!tu.HairIds.Any(id => SyntheticEdgeRule.Counts(truth, id, o)))
            {
                continue;
            }

            var dets = tu.HairIds.Where(id => detOf[id] >= 0).Select(id => detOf[id]).ToList();
            if (!dets.Any(d => result.Hairs[d].CountedInDensity))
            {
                Add(dets.Count == 0 ? "lost-missed" : "lost-uncounted");
                if (detail && dets.Count > 0)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  lost-uncounted seed {seed} truth unit at ({tu.Centre.X:F0},{tu.Centre.Y:F0}) {tu.HairIds.Count} hairs"));
                    foreach (int id in tu.HairIds)
                    {
                        var th = truth.Hairs[id];
                        var dd = truth.HairDetails[id];
                        string det = detOf[id] < 0 ? "missed" : string.Create(CultureInfo.InvariantCulture,
                            $"det {detOf[id]} ({result.Hairs[detOf[id]].Emergence.X:F0},{result.Hairs[detOf[id]].Emergence.Y:F0})->({result.Hairs[detOf[id]].Tip.X:F0},{result.Hairs[detOf[id]].Tip.Y:F0}) len {result.Hairs[detOf[id]].LengthMicrometres:F0}um cut {result.Hairs[detOf[id]].CutByFrameEdge} flipped {Flipped(result.Hairs[detOf[id]], th)}");
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"     truth {id} ({th.Emergence.X:F0},{th.Emergence.Y:F0})->({th.Tip.X:F0},{th.Tip.Y:F0}) vis {dd.VisibleLengthPixels / truth.PixelsPerMillimetre * 1000:F0}um cut {th.CutByFrameEdge} counts {SyntheticEdgeRule.Counts(truth, id, o)} {det}"));
                    }
                }
                continue;
            }

            var units = dets.Select(d => result.Hairs[d].FollicularUnitId).Distinct().ToList();
            if (units.Count == 1)
            {
                Add("whole");
                continue;
            }

            bool anyFlip = tu.HairIds.Any(id => detOf[id] >= 0 && Flipped(result.Hairs[detOf[id]], truth.Hairs[id]));
            // A flipped hair in a unit of its own, or in a unit with other hairs.
            bool flipInGroup = tu.HairIds.Any(id => detOf[id] >= 0 && Flipped(result.Hairs[detOf[id]], truth.Hairs[id]) && unitSize[result.Hairs[detOf[id]].FollicularUnitId] > 1);
            string kind = !anyFlip ? "split-noflip" : flipInGroup ? "split-flip-grouped" : "split-flip-lone";
            Add(kind, units.Count - 1);
            if (detail)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {kind} seed {seed} truth unit at ({tu.Centre.X:F0},{tu.Centre.Y:F0}) {tu.HairIds.Count} hairs, frame width {wMed:F1}px"));
                foreach (int id in tu.HairIds)
                {
                    var th = truth.Hairs[id];
                    if (detOf[id] < 0)
                    {
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"     truth {id} ({th.Emergence.X:F0},{th.Emergence.Y:F0})->({th.Tip.X:F0},{th.Tip.Y:F0}) missed"));
                        continue;
                    }

                    var dh = result.Hairs[detOf[id]];
                    var du = result.FollicularUnits[dh.FollicularUnitId];
                    var others = du.HairIds.Where(x => x != dh.Id).Select(x => truthOf[x] < 0 ? "false" : unitOfTruthHair[truthOf[x]] == unitOfTruthHair[id] ? "same" : "other");
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"     truth {id} ({th.Emergence.X:F0},{th.Emergence.Y:F0})->({th.Tip.X:F0},{th.Tip.Y:F0}) det {dh.Id} ({dh.Emergence.X:F0},{dh.Emergence.Y:F0})->({dh.Tip.X:F0},{dh.Tip.Y:F0}) unit {dh.FollicularUnitId} [{string.Join(',', others)}] flipped {Flipped(dh, th)} opening off {SyntheticEvaluation.Dist(dh.Emergence, th.Emergence) / wMed:F1} w, counted {dh.CountedInDensity}"));
                }
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
                bool flip = du.HairIds.Any(id => truthOf[id] >= 0 && Flipped(result.Hairs[id], truth.Hairs[truthOf[id]]));
                bool shared = du.HairIds.Any(a => du.HairIds.Any(b => a != b && truthOf[a] >= 0 && truthOf[b] >= 0
                    && unitOfTruthHair[truthOf[a]] != unitOfTruthHair[truthOf[b]] && SyntheticEvaluation.Dist(result.Hairs[a].Emergence, result.Hairs[b].Emergence) < 0.5));
                string kind = shared ? "merge-one-region" : flip ? "merge-flip" : "merge-other";
                Add(kind, tus.Count - 1);
                if (detail)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {kind} seed {seed} det unit at ({du.Centre.X:F0},{du.Centre.Y:F0}) {du.HairIds.Count} hairs, {tus.Count} truth units"));
                    foreach (int id in du.HairIds)
                    {
                        var dh = result.Hairs[id];
                        string t = truthOf[id] < 0 ? "false" : string.Create(CultureInfo.InvariantCulture, $"truth {truthOf[id]} unit {unitOfTruthHair[truthOf[id]]} ({truth.Hairs[truthOf[id]].Emergence.X:F0},{truth.Hairs[truthOf[id]].Emergence.Y:F0})->({truth.Hairs[truthOf[id]].Tip.X:F0},{truth.Hairs[truthOf[id]].Tip.Y:F0}) flipped {Flipped(dh, truth.Hairs[truthOf[id]])}");
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"     det {id} ({dh.Emergence.X:F0},{dh.Emergence.Y:F0})->({dh.Tip.X:F0},{dh.Tip.Y:F0}) {t}"));
                    }
                }
            }
            else if (du.HairIds.All(id => truthOf[id] < 0))
            {
                Add("false-unit");
            }

            if (du.HairIds.Count > 4)
            {
                Add("unit-over-4");
            }
        }

        return c;
    }

    private static bool Flipped(HairInstance det, HairInstance truth) => SyntheticEvaluation.Dist(det.Emergence, truth.Tip) < SyntheticEvaluation.Dist(det.Emergence, truth.Emergence);
}
