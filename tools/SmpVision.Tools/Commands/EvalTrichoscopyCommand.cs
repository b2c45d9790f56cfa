using System.Diagnostics;
using System.Globalization;
using OpenCvSharp;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.Measurement;

namespace SmpVision.Tools.Commands;

/// <summary>
/// Runs the trichoscopy analysis over a manifest of hand-counted frames and reports count error.
/// The manifest's px/mm is passed as the request scale. The compared count is every visible hair
/// (hand counts include hairs cut by the frame edge); the edge-rule count used for density is
/// reported beside it.
/// </summary>
internal sealed class EvalTrichoscopyCommand : IToolCommand
{
    public string Name => "eval-trichoscopy";

    public string Usage => "--manifest PATH [--limit N] [--overlays DIR] [--patients all|even|odd] [--csv PATH] [--option Stage.Name=value ...]"
        + " | --synthetic PRESET [--seed S=301] [--count N=6] [--width W --height H --ppm P] [--overlays DIR] [--verbose]";

    public int Run(IReadOnlyList<string> args)
    {
        if (args.Contains("--synthetic"))
        {
            return SyntheticEvaluation.Run(args);
        }

        string? manifest = null, overlays = null, csvOut = null;
        int limit = int.MaxValue;
        string patients = "all";
        var overrides = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--manifest": manifest = args[++i]; break;
                case "--limit": limit = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--overlays": overlays = args[++i]; break;
                case "--patients": patients = args[++i]; break;
                case "--csv": csvOut = args[++i]; break;
                case "--option": overrides.Add(args[++i]); break;
                default:
                    Console.Error.WriteLine($"Unknown argument {args[i]}. Usage: {Usage}");
                    return 2;
            }
        }

        if (manifest is null || !File.Exists(manifest))
        {
            Console.Error.WriteLine($"Manifest not found. Usage: {Usage}");
            return 2;
        }

        var rows = ReadManifest(manifest).Where(r => PatientSelected(r.Patient, patients)).Take(limit).ToList();
        if (overlays is not null)
        {
            Directory.CreateDirectory(overlays);
        }

        var options = new TrichoscopyOptions();
        foreach (var o in overrides)
        {
            ApplyOverride(options, o);
        }

        var optionErrors = options.Validate();
        if (optionErrors.Count > 0)
        {
            Console.Error.WriteLine("Invalid options: " + string.Join(" ", optionErrors));
            return 2;
        }
        var results = new List<(Row Row, int Visible, int Counted, int Units, double Ms)>();
        var csv = new List<string> { "image,patient,hand,visible,counted,units,ms,confidence,flags,shaft_px,mean_width_um,focus,glare,polarity,dark_evidence,light_evidence" };
        var stageMs = new Dictionary<string, double>();
        var total = Stopwatch.StartNew();
        int lightFrames = 0, colourFrames = 0;
        for (int i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            using var mat = Cv2.ImRead(row.ImagePath, ImreadModes.Color);
            if (mat.Empty())
            {
                Console.Error.WriteLine($"\ncannot read {row.ImagePath}");
                continue;
            }

            using var image = ScalpImage.FromBgr(mat.Clone(), ImageFormat.Jpeg);
            var scale = row.PixelsPerMillimetre is { } ppm ? new Scale(ppm, ScaleSource.Request, 0.15, "manifest") : null;
            var sw = Stopwatch.StartNew();
            using var result = TrichoscopyAnalysis.Run(image, scale, options, CancellationToken.None);
            double ms = sw.Elapsed.TotalMilliseconds;
            foreach (var t in result.Timings)
            {
                stageMs[t.Stage] = stageMs.GetValueOrDefault(t.Stage) + t.Milliseconds;
            }
            results.Add((row, result.Density.VisibleHairCount, result.Density.HairCount, result.Density.FollicularUnitCount, ms));
            csv.Add(string.Join(',', Path.GetFileName(row.ImagePath), row.Patient ?? "", row.Hairs.ToString(CultureInfo.InvariantCulture),
                result.Density.VisibleHairCount, result.Density.HairCount, result.Density.FollicularUnitCount,
                ms.ToString("F1", CultureInfo.InvariantCulture), result.Quality.Confidence.ToString("F2", CultureInfo.InvariantCulture),
                string.Join('|', result.Quality.Flags),
                result.ReferenceShaftWidthPixels.ToString("F1", CultureInfo.InvariantCulture),
                (result.Density.MeanShaftWidthMicrometres ?? double.NaN).ToString("F1", CultureInfo.InvariantCulture),
                result.Quality.FocusScore.ToString("F2", CultureInfo.InvariantCulture),
                result.Quality.GlareFraction.ToString("F3", CultureInfo.InvariantCulture),
                result.HairPolarity,
                (1000 * result.PolarityEvidence.Dark).ToString("F2", CultureInfo.InvariantCulture),
                (1000 * result.PolarityEvidence.Light).ToString("F2", CultureInfo.InvariantCulture)));
            if (result.HairPolarity == SmpVision.Pipeline.Segmentation.HairPolarity.Light)
            {
                lightFrames++;
            }
            else if (result.HairPolarity == SmpVision.Pipeline.Segmentation.HairPolarity.Colour)
            {
                colourFrames++;
            }

            if (overlays is not null)
            {
                WriteOverlay(mat, result, row, Path.Combine(overlays, Path.GetFileNameWithoutExtension(row.ImagePath) + ".png"));
            }

            Console.Error.Write($"\r{i + 1}/{rows.Count} frames, {total.Elapsed.TotalSeconds:F0} s");
        }

        Console.Error.WriteLine();
        if (csvOut is not null)
        {
            File.WriteAllLines(csvOut, csv);
        }

        if (results.Count == 0)
        {
            Console.WriteLine("No frames evaluated.");
            return 1;
        }

        Console.WriteLine($"frames: {results.Count}  (patients: {patients})  mean analysis time: {results.Average(r => r.Ms):F1} ms; shafts read lighter than skin on {lightFrames}, by colour contrast on {colourFrames}");
        Console.WriteLine("  stages (mean ms): " + string.Join(", ", stageMs.Select(kv => $"{kv.Key} {kv.Value / results.Count:F1}")));
        Report("visible hairs vs hand count", results.Select(r => ((double)r.Visible, (double)r.Row.Hairs, r.Row.Patient)).ToList());
        Report("edge-rule hairs vs hand count", results.Select(r => ((double)r.Counted, (double)r.Row.Hairs, r.Row.Patient)).ToList());
        return 0;
    }

    private static void Report(string title, List<(double Pred, double Truth, string? Patient)> data)
    {
        var abs = data.Select(d => Math.Abs(d.Pred - d.Truth)).OrderBy(x => x).ToList();
        var absPct = data.Where(d => d.Truth > 0).Select(d => 100 * Math.Abs(d.Pred - d.Truth) / d.Truth).OrderBy(x => x).ToList();
        var signedPct = data.Where(d => d.Truth > 0).Select(d => 100 * (d.Pred - d.Truth) / d.Truth).ToList();
        Console.WriteLine($"== {title}");
        Console.WriteLine($"  median abs error: {Median(abs):F2} hairs ({Median(absPct):F1}%; target <= 15%: {(Median(absPct) <= 15 ? "met" : "NOT met")})");
        Console.WriteLine($"  mean abs error:   {abs.Average():F2} hairs ({absPct.Average():F1}%)");
        Console.WriteLine($"  mean signed error: {signedPct.Average():+0.0;-0.0}% (target within +/-8%: {(Math.Abs(signedPct.Average()) <= 8 ? "met" : "NOT met")})  (total {100 * (data.Sum(d => d.Pred) - data.Sum(d => d.Truth)) / data.Sum(d => d.Truth):+0.0;-0.0}%)");
        Console.WriteLine($"  Pearson r: {Pearson(data.Select(d => d.Pred).ToList(), data.Select(d => d.Truth).ToList()):F3}");
        var byPatient = data.Where(d => d.Patient is not null).GroupBy(d => d.Patient!).ToList();
        if (byPatient.Count > 0)
        {
            // Same frames, same area per patient: the density error equals the summed-count error.
            var pe = byPatient.Select(g => 100 * (g.Sum(d => d.Pred) - g.Sum(d => d.Truth)) / Math.Max(1, g.Sum(d => d.Truth))).ToList();
            var peAbs = pe.Select(Math.Abs).OrderBy(x => x).ToList();
            Console.WriteLine($"  per-patient density error ({byPatient.Count} patients): median abs {Median(peAbs):F1}%, mean signed {pe.Average():+0.0;-0.0}%, 90th pct abs {peAbs[(int)Math.Min(peAbs.Count - 1, Math.Floor(0.9 * peAbs.Count))]:F1}%");
        }
    }

    /// <summary>Sets one stage option, e.g. "HairInstances.SplitWidthRatio=1.8", on a fresh options object.</summary>
    internal static void ApplyOverride(TrichoscopyOptions options, string assignment)
    {
        var parts = assignment.Split('=', 2);
        var path = parts[0].Split('.');
        if (parts.Length != 2 || path.Length != 2)
        {
            throw new ArgumentException($"--option wants Stage.Name=value, got '{assignment}'.");
        }

        var stageProp = typeof(TrichoscopyOptions).GetProperty(path[0]) ?? throw new ArgumentException($"No options stage '{path[0]}'.");
        object stage = stageProp.GetValue(options)!;
        var prop = stage.GetType().GetProperty(path[1]) ?? throw new ArgumentException($"No option '{path[1]}' in {path[0]}.");
        var type = Nullable.GetUnderlyingType(prop.PropertyType) ?? prop.PropertyType;
        object? value = type.IsEnum ? Enum.Parse(type, parts[1], ignoreCase: true) : Convert.ChangeType(parts[1], type, CultureInfo.InvariantCulture);
        prop.SetValue(stage, value);
    }

    private static double Median(List<double> sorted) => CountStats.Median(sorted);

    private static double Pearson(List<double> a, List<double> b) => CountStats.Pearson(a, b);

    private static bool PatientSelected(string? patient, string which)
    {
        if (which == "all" || patient is null)
        {
            return true;
        }

        var digits = new string(patient.Where(char.IsAsciiDigit).ToArray());
        bool even = digits.Length > 0 && (digits[^1] - '0') % 2 == 0;
        return which == "even" ? even : !even;
    }

    private sealed record Row(string ImagePath, int Hairs, double? PixelsPerMillimetre, string? Patient);

    private static List<Row> ReadManifest(string path)
    {
        var manifest = DataManifest.Read(path);
        if (!manifest.Has("hairs"))
        {
            throw new InvalidDataException("Manifest needs 'image' and 'hairs' columns.");
        }

        return manifest.Rows
            .Select(f => new Row(
                manifest.ImagePath(f),
                int.Parse(manifest.Cell(f, "hairs")!, CultureInfo.InvariantCulture),
                manifest.Number(f, "pixels_per_mm"),
                manifest.Cell(f, "patient") is { Length: > 0 } patient ? patient : null))
            .ToList();
    }

    /// <summary>Half-size PNG: masked area darkened, hair outlines green, emergence red, tips yellow, FUs cyan.</summary>
    private static void WriteOverlay(Mat bgr, TrichoscopyResult result, Row row, string path)
    {
        using var canvas = bgr.Clone();
        using (var off = new Mat())
        {
            Cv2.BitwiseNot(result.AnalysableMask, off);
            using var dim = new Mat(canvas.Size(), MatType.CV_8UC3, new Scalar(60, 0, 60));
            dim.CopyTo(canvas, off);
        }

        Cv2.FindContours(result.HairMask, out var contours, out _, RetrievalModes.External, ContourApproximationModes.ApproxSimple);
        Cv2.DrawContours(canvas, contours, -1, Scalar.Lime, 2);
        foreach (var h in result.Hairs)
        {
            var e = new Point((int)h.Emergence.X, (int)h.Emergence.Y);
            var t = new Point((int)h.Tip.X, (int)h.Tip.Y);
            Cv2.Line(canvas, e, t, Scalar.Yellow, 2);
            Cv2.Circle(canvas, e, 7, h.CountedInDensity ? Scalar.Red : Scalar.Orange, -1);
        }

        foreach (var u in result.FollicularUnits)
        {
            var c = new Point((int)u.Centre.X, (int)u.Centre.Y);
            Cv2.Circle(canvas, c, 22, Scalar.Cyan, 2);
            Cv2.PutText(canvas, u.HairIds.Count.ToString(CultureInfo.InvariantCulture), c + new Point(24, -10), HersheyFonts.HersheySimplex, 1.0, Scalar.Cyan, 2);
        }

        Cv2.PutText(canvas, $"{Path.GetFileName(row.ImagePath)} hand {row.Hairs} visible {result.Density.VisibleHairCount} counted {result.Density.HairCount} FU {result.Density.FollicularUnitCount}",
            new Point(10, 80), HersheyFonts.HersheySimplex, 1.1, Scalar.White, 3);
        using var small = new Mat();
        Cv2.Resize(canvas, small, new Size(canvas.Cols / 2, canvas.Rows / 2), 0, 0, InterpolationFlags.Area);
        Cv2.ImWrite(path, small);
    }
}
