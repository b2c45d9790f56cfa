using System.Globalization;
using OpenCvSharp;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.Inference;
using SmpVision.Pipeline.Measurement;

namespace SmpVision.Tools.Commands;

/// <summary>
/// <c>export-candidates</c>: runs the trichoscopy analysis (verifier off) over a manifest and writes
/// one CSV row per detected hair: frame, patient, hand count, the verifier's features
/// (<see cref="HairCandidateFeatures"/>) and a label from the annotation boxes (hairs.csv beside
/// the manifest). A detection is real (label 1) when most of its emergence-tip segment lies inside
/// an annotated box no other detection has claimed; boxes are taken greedily, best-covered
/// first, one detection per box. The offline trainer (tools/training/train_verifier.py) reads it.
/// No pixels are written.
/// </summary>
internal sealed class ExportCandidatesCommand : IToolCommand
{
    /// <summary>Share of the segment that must lie in a box for the detection to claim it.</summary>
    private const double MinInsideFraction = 0.6;

    /// <summary>Slack around each box in pixels: boxes are drawn loosely, and a centreline can sit on the edge.</summary>
    private const int BoxSlackPixels = 6;

    public string Name => "export-candidates";

    public string Usage => "--manifest PATH [--hairs PATH (default hairs.csv beside the manifest)] --out CSV [--limit N] [--option Stage.Name=value ...]";

    public int Run(IReadOnlyList<string> args)
    {
        string? manifest = null, hairsCsv = null, outPath = null;
        int limit = int.MaxValue;
        var overrides = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--manifest": manifest = args[++i]; break;
                case "--hairs": hairsCsv = args[++i]; break;
                case "--out": outPath = args[++i]; break;
                case "--limit": limit = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--option": overrides.Add(args[++i]); break;
                default:
                    Console.Error.WriteLine($"Unknown argument {args[i]}. Usage: {Usage}");
                    return 2;
            }
        }

        if (manifest is null || !File.Exists(manifest) || outPath is null)
        {
            Console.Error.WriteLine($"Usage: {Usage}");
            return 2;
        }

        string dir = Path.GetDirectoryName(Path.GetFullPath(manifest))!;
        hairsCsv ??= Path.Combine(dir, "hairs.csv");
        var boxes = ReadBoxes(hairsCsv);
        var options = new TrichoscopyOptions();
        foreach (var o in overrides)
        {
            EvalTrichoscopyCommand.ApplyOverride(options, o);
        }

        options = options with { HairVerifier = options.HairVerifier with { Enabled = false } };
        var data = DataManifest.Read(manifest);
        var output = new List<string>
        {
            "image,patient,hand,boxes,hair_id," + string.Join(',', HairCandidateFeatures.Names) + ",label,inside_fraction,emergence_x,emergence_y,tip_x,tip_y",
        };
        int frames = 0, positives = 0, total = 0;
        foreach (var f in data.Rows.Take(limit))
        {
            string image = data.ImageName(f);
            string patient = data.Cell(f, "patient") ?? "";
            string hand = data.Cell(f, "hairs") ?? "";
            using var mat = Cv2.ImRead(data.ImagePath(f), ImreadModes.Color);
            if (mat.Empty())
            {
                Console.Error.WriteLine($"cannot read {image}");
                continue;
            }

            double? ppm = data.Number(f, "pixels_per_mm");
            using var scalp = ScalpImage.FromBgr(mat.Clone(), ImageFormat.Jpeg);
            var scale = ppm is { } v ? new Scale(v, ScaleSource.Request, 0.15, "manifest") : null;
            using var result = TrichoscopyAnalysis.Run(scalp, scale, options, CancellationToken.None);
            double sizing = result.Scale?.PixelsPerMillimetre ?? options.HairSegmentation.NominalPixelsPerMillimetre;
            var features = HairCandidateFeatures.Compute(mat, result.HairMask, result.AnalysableMask, result.Hairs, result.FollicularUnits,
                sizing, result.ReferenceShaftWidthPixels, CancellationToken.None);
            var frameBoxes = boxes.GetValueOrDefault(image) ?? [];
            var (labels, inside) = Label(result.Hairs, frameBoxes);
            int n = HairCandidateFeatures.Count;
            for (int h = 0; h < result.Hairs.Count; h++)
            {
                var cells = new List<string>
                {
                    image,
                    patient,
                    hand,
                    frameBoxes.Count.ToString(CultureInfo.InvariantCulture),
                    result.Hairs[h].Id.ToString(CultureInfo.InvariantCulture),
                };
                for (int c = 0; c < n; c++)
                {
                    cells.Add(features[(h * n) + c].ToString("G6", CultureInfo.InvariantCulture));
                }

                cells.Add(labels[h] ? "1" : "0");
                cells.Add(inside[h].ToString("F2", CultureInfo.InvariantCulture));
                var hair = result.Hairs[h];
                cells.AddRange(new[] { hair.Emergence.X, hair.Emergence.Y, hair.Tip.X, hair.Tip.Y }.Select(c => c.ToString("F0", CultureInfo.InvariantCulture)));
                output.Add(string.Join(',', cells));
                positives += labels[h] ? 1 : 0;
            }

            // A frame with no detection still carries its hand count for the count metric.
            if (result.Hairs.Count == 0)
            {
                output.Add($"{image},{patient},{hand},{frameBoxes.Count},-1,{string.Join(',', Enumerable.Repeat("0", n))},0,0,0,0,0,0");
            }

            total += result.Hairs.Count;
            frames++;
            Console.Error.Write($"\r{frames} frames, {total} detections, {positives} matched");
        }

        Console.Error.WriteLine();
        File.WriteAllLines(outPath, output);
        Console.WriteLine($"frames: {frames}  detections: {total}  labelled real: {positives} ({100.0 * positives / Math.Max(1, total):F1}%)  -> {outPath}");
        return 0;
    }

    /// <summary>Greedy one-to-one claim of boxes by detections, best-covered pairs first.</summary>
    internal static (bool[] Labels, double[] Inside) Label(IReadOnlyList<HairInstance> hairs, IReadOnlyList<Rect> boxes)
    {
        const int Samples = 21;
        var pairs = new List<(double Fraction, int Hair, int Box, int Area)>();
        var best = new double[hairs.Count];
        for (int h = 0; h < hairs.Count; h++)
        {
            var e = hairs[h].Emergence;
            var t = hairs[h].Tip;
            for (int b = 0; b < boxes.Count; b++)
            {
                var r = boxes[b];
                int inside = 0;
                for (int s = 0; s < Samples; s++)
                {
                    double a = s / (Samples - 1.0);
                    double x = e.X + (a * (t.X - e.X)), y = e.Y + (a * (t.Y - e.Y));
                    if (x >= r.Left - BoxSlackPixels && x <= r.Right + BoxSlackPixels && y >= r.Top - BoxSlackPixels && y <= r.Bottom + BoxSlackPixels)
                    {
                        inside++;
                    }
                }

                double frac = inside / (double)Samples;
                best[h] = Math.Max(best[h], frac);
                if (frac >= MinInsideFraction)
                {
                    pairs.Add((frac, h, b, r.Width * r.Height));
                }
            }
        }

        // Maximum one-to-one matching (Kuhn's augmenting paths, edges tried best-covered first):
        // a greedy claim lets one hair of a unit take the box its neighbour needed.
        var edges = new List<int>[hairs.Count];
        for (int h = 0; h < hairs.Count; h++)
        {
            edges[h] = pairs.Where(q => q.Hair == h).OrderByDescending(q => q.Fraction).ThenBy(q => q.Area).Select(q => q.Box).ToList();
        }

        var boxOwner = Enumerable.Repeat(-1, boxes.Count).ToArray();
        foreach (int h in Enumerable.Range(0, hairs.Count).OrderByDescending(i => edges[i].Count == 0 ? 0 : pairs.Where(q => q.Hair == i).Max(q => q.Fraction)))
        {
            Augment(h, edges, boxOwner, new bool[boxes.Count]);
        }

        var labels = new bool[hairs.Count];
        foreach (int owner in boxOwner.Where(o => o >= 0))
        {
            labels[owner] = true;
        }

        return (labels, best);
    }

    private static bool Augment(int hair, List<int>[] edges, int[] boxOwner, bool[] seen)
    {
        foreach (int b in edges[hair])
        {
            if (seen[b])
            {
                continue;
            }

            seen[b] = true;
            if (boxOwner[b] < 0 || Augment(boxOwner[b], edges, boxOwner, seen))
            {
                boxOwner[b] = hair;
                return true;
            }
        }

        return false;
    }

    private static Dictionary<string, List<Rect>> ReadBoxes(string path)
    {
        if (!File.Exists(path))
        {
            Console.Error.WriteLine($"No annotation file {path}: every label will be 0.");
            return new Dictionary<string, List<Rect>>(StringComparer.Ordinal);
        }

        return HairBoxes.Read(path);
    }
}
