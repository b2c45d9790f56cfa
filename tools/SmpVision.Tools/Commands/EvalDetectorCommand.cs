using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using OpenCvSharp;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Detection;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.Measurement;

namespace SmpVision.Tools.Commands;

/// <summary>
/// The learned detector judged on patient-held-out real frames, like for like: each frame is
/// analysed with the fold model that never saw its patient (folds.json from
/// tools/training/train_detector.py), and with the classical detector beside it. Reports the
/// visible-hair count (every visible hair, as the annotators counted) against the hand count,
/// the edge-rule count, and follicular units against the annotators' units, per fold and pooled,
/// with patient-bootstrap 90% intervals; optionally the repeatability of density under rotation,
/// flip, rescale, darker and warmer/cooler variants.
/// </summary>
internal sealed class EvalDetectorCommand : IToolCommand
{
    public string Name => "eval-detector";

    public string Usage => "--manifest PATH [--manifest PATH ...] --folds DIR (fold-K.onnx + folds.json) [--limit N] [--repeatability N] [--csv PATH]";

    private sealed record Frame(string Path, string Image, string Patient, int Hand, int Units, double Ppm, int Fold);

    private sealed record Outcome(Frame Frame, int Visible, int Counted, int FollicularUnits, double Ms);

    public int Run(IReadOnlyList<string> args)
    {
        var manifests = new List<string>();
        string? foldsDir = null, csvOut = null;
        int limit = int.MaxValue, repeatability = 0;
        for (int i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--manifest": manifests.Add(args[++i]); break;
                case "--folds": foldsDir = args[++i]; break;
                case "--limit": limit = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--repeatability": repeatability = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--csv": csvOut = args[++i]; break;
                default:
                    Console.Error.WriteLine($"Unknown argument {args[i]}. Usage: {Usage}");
                    return 2;
            }
        }

        if (manifests.Count == 0 || foldsDir is null || !File.Exists(Path.Combine(foldsDir, "folds.json")))
        {
            Console.Error.WriteLine($"Need --manifest and --folds DIR with folds.json. Usage: {Usage}");
            return 2;
        }

        var frames = ReadFrames(manifests, ReadFolds(Path.Combine(foldsDir, "folds.json"))).Take(limit).ToList();
        var k = frames.Select(f => f.Fold).Distinct().Order().ToList();
        var learned = k.ToDictionary(f => f, f => Options(HairDetectorKind.Learned, Path.Combine(foldsDir, $"fold-{f}.onnx")));
        var classical = Options(HairDetectorKind.Classical, null);
        var learnedOut = new List<Outcome>();
        var classicalOut = new List<Outcome>();
        var csv = new List<string> { "image,patient,fold,hand,hand_units,learned_visible,learned_counted,learned_units,classical_visible,classical_counted,classical_units" };
        var total = Stopwatch.StartNew();
        for (int i = 0; i < frames.Count; i++)
        {
            var f = frames[i];
            using var mat = Cv2.ImRead(f.Path, ImreadModes.Color);
            var l = Analyse(f, mat, learned[f.Fold]);
            var c = Analyse(f, mat, classical);
            learnedOut.Add(l);
            classicalOut.Add(c);
            csv.Add(string.Join(',', f.Image, f.Patient, f.Fold, f.Hand, f.Units, l.Visible, l.Counted, l.FollicularUnits, c.Visible, c.Counted, c.FollicularUnits));
            Console.Error.Write($"\r{i + 1}/{frames.Count} frames, {total.Elapsed.TotalSeconds:F0} s");
        }

        Console.Error.WriteLine();
        if (csvOut is not null)
        {
            File.WriteAllLines(csvOut, csv);
        }

        Console.WriteLine($"{frames.Count} real frames, {frames.Select(f => f.Patient).Distinct().Count()} patients, {k.Count} patient folds; every learned figure from the fold model that never saw the frame's patient.");
        Console.WriteLine($"mean analysis time per frame: learned {learnedOut.Average(o => o.Ms):F1} ms, classical {classicalOut.Average(o => o.Ms):F1} ms");
        Console.WriteLine("targets (issue 15): visible-hair count median abs <= 10%, mean signed within +/-3%, Pearson r >= 0.85");
        foreach (var fold in k.Cast<int?>().Append(null))
        {
            var sel = (Func<Outcome, bool>)(o => fold is null || o.Frame.Fold == fold);
            string name = fold is null ? "pooled" : $"fold {fold}";
            Line($"{name,-7} learned   visible vs hand", learnedOut.Where(sel).Select(o => (o.Visible, o.Frame.Hand, o.Frame.Patient)).ToList());
            Line($"{name,-7} classical visible vs hand", classicalOut.Where(sel).Select(o => (o.Visible, o.Frame.Hand, o.Frame.Patient)).ToList());
        }

        Line("pooled  learned   edge-rule vs hand", learnedOut.Select(o => (o.Counted, o.Frame.Hand, o.Frame.Patient)).ToList());
        Line("pooled  classical edge-rule vs hand", classicalOut.Select(o => (o.Counted, o.Frame.Hand, o.Frame.Patient)).ToList());
        Line("pooled  learned   units vs annotated", learnedOut.Select(o => (o.FollicularUnits, o.Frame.Units, o.Frame.Patient)).ToList());
        Line("pooled  classical units vs annotated", classicalOut.Select(o => (o.FollicularUnits, o.Frame.Units, o.Frame.Patient)).ToList());
        if (repeatability > 0)
        {
            Repeatability.Run(frames.Take(repeatability).Select(f => (f.Path, f.Ppm, learned[f.Fold])).ToList());
        }

        return 0;
    }

    internal static TrichoscopyOptions Options(HairDetectorKind kind, string? modelPath) =>
        new() { Detector = new HairDetectorOptions { Kind = kind, ModelPath = modelPath } };

    private static Outcome Analyse(Frame f, Mat mat, TrichoscopyOptions options)
    {
        using var image = ScalpImage.FromBgr(mat.Clone(), ImageFormat.Jpeg);
        var sw = Stopwatch.StartNew();
        using var r = TrichoscopyAnalysis.Run(image, new Scale(f.Ppm, ScaleSource.Request, 0.15, "manifest"), options, CancellationToken.None);
        return new Outcome(f, r.Density.VisibleHairCount, r.Density.HairCount, r.FollicularUnits.Count, sw.Elapsed.TotalMilliseconds);
    }

    private static void Line(string title, List<(int Pred, int Truth, string Patient)> d)
    {
        if (d.Count == 0)
        {
            return;
        }

        var (medAbs, signed, r) = CountStats.Of(d);
        var (medLo, medHi, sLo, sHi) = CountStats.PatientBootstrap(d, 1000, 0);
        Console.WriteLine($"{title}: {d.Count} frames, median abs {medAbs:F1}% [90% {medLo:F1}-{medHi:F1}], mean signed {signed:+0.0;-0.0}% [{sLo:+0.0;-0.0} .. {sHi:+0.0;-0.0}], Pearson r {r:F3}");
    }

    private static Dictionary<string, int> ReadFolds(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("patient_fold").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32(), StringComparer.Ordinal);
    }

    private static IEnumerable<Frame> ReadFrames(List<string> manifests, Dictionary<string, int> folds)
    {
        foreach (var m in manifests)
        {
            var data = DataManifest.Read(m);
            var units = HairBoxes.UnitCounts(Path.Combine(data.Root, "hairs.csv"));
            foreach (var row in data.Rows)
            {
                string patient = data.Cell(row, "patient")!, image = data.ImageName(row);
                if (!folds.TryGetValue(patient, out int fold))
                {
                    throw new InvalidDataException($"Patient {patient} of {image} has no fold in folds.json: train and evaluate on the same data sets.");
                }

                yield return new Frame(data.ImagePath(row), image, patient, (int)data.Number(row, "hairs")!.Value, units.GetValueOrDefault(image), data.Number(row, "pixels_per_mm") ?? 361, fold);
            }
        }
    }
}

/// <summary>Count-error statistics shared by the detector evaluation and its repeatability report.</summary>
internal static class CountStats
{
    /// <summary>Median absolute and mean signed error in percent of the truth, and Pearson r.</summary>
    public static (double MedianAbsPct, double MeanSignedPct, double PearsonR) Of(IReadOnlyList<(int Pred, int Truth, string Patient)> d)
    {
        var rel = d.Where(x => x.Truth > 0).Select(x => 100.0 * (x.Pred - x.Truth) / x.Truth).ToList();
        return (Median(rel.Select(Math.Abs)), rel.Average(), Pearson(d.Select(x => (double)x.Pred).ToList(), d.Select(x => (double)x.Truth).ToList()));
    }

    /// <summary>90% intervals of the median abs and mean signed error, resampling patients (frames of one patient are not independent).</summary>
    public static (double MedLo, double MedHi, double SignedLo, double SignedHi) PatientBootstrap(IReadOnlyList<(int Pred, int Truth, string Patient)> d, int reps, int seed)
    {
        var groups = d.GroupBy(x => x.Patient).Select(g => g.ToList()).ToList();
        var rng = new Random(seed);
        var meds = new List<double>(reps);
        var signed = new List<double>(reps);
        for (int r = 0; r < reps; r++)
        {
            var sample = new List<(int, int, string)>();
            for (int i = 0; i < groups.Count; i++)
            {
                sample.AddRange(groups[rng.Next(groups.Count)]);
            }

            var (m, s, _) = Of(sample);
            meds.Add(m);
            signed.Add(s);
        }

        meds.Sort();
        signed.Sort();
        return (meds[(int)(0.05 * reps)], meds[(int)(0.95 * reps)], signed[(int)(0.05 * reps)], signed[(int)(0.95 * reps)]);
    }

    public static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToList();
        return v.Count == 0 ? double.NaN : v.Count % 2 == 1 ? v[v.Count / 2] : 0.5 * (v[(v.Count / 2) - 1] + v[v.Count / 2]);
    }

    public static double Percentile(IEnumerable<double> values, double p)
    {
        var v = values.Order().ToList();
        return v.Count == 0 ? double.NaN : v[Math.Min(v.Count - 1, (int)Math.Floor(p * v.Count))];
    }

    public static double Pearson(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        double ma = a.Average(), mb = b.Average();
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.Count; i++)
        {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }

        return saa > 0 && sbb > 0 ? sab / Math.Sqrt(saa * sbb) : double.NaN;
    }
}
