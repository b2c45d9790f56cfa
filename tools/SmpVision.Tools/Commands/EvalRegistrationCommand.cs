using System.Diagnostics;
using System.Globalization;
using OpenCvSharp;
using SmpVision.Pipeline.Comparison;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Model;

namespace SmpVision.Tools.Commands;

/// <summary>
/// Registration acceptance on real frames: each frame is warped by a known rotation, scale,
/// shift, perspective and brightness/contrast change, registered back, and the recovered
/// homography compared with the truth on a grid of points. Each frame is also paired with a
/// frame of another patient, which must be refused.
/// </summary>
public sealed class EvalRegistrationCommand : IToolCommand
{
    public string Name => "eval-registration";

    public string Usage => "--manifest PATH [--limit N] [--seed S] [--detector akaze|orb] [--hairs PATH.csv] [--map-dir DIR] [--verbose]";

    public int Run(IReadOnlyList<string> args)
    {
        string? manifest = null;
        var limit = 20;
        var seed = 1;
        var verbose = false;
        string? hairsCsv = null;
        string? mapDir = null;
        var options = new RegistrationOptions();
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--manifest": manifest = args[++i]; break;
                case "--limit": limit = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--seed": seed = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--detector": options = options with { Detector = args[++i] == "orb" ? FeatureDetectorKind.Orb : FeatureDetectorKind.Akaze }; break;
                case "--verbose": verbose = true; break;
                case "--hairs": hairsCsv = args[++i]; break;
                case "--map-dir": mapDir = args[++i]; break;
                default:
                    Console.Error.WriteLine($"Unknown argument '{args[i]}'. Usage: {Usage}");
                    return 2;
            }
        }

        if (manifest is null || !File.Exists(manifest))
        {
            Console.Error.WriteLine($"A readable --manifest is required. Usage: {Usage}");
            return 2;
        }

        var root = Path.GetDirectoryName(Path.GetFullPath(manifest))!;
        var rows = ReadManifest(manifest);
        hairsCsv ??= Path.Combine(root, "hairs.csv");
        var annotations = File.Exists(hairsCsv) ? ReadBoxes(hairsCsv) : null;
        var hairChanges = new List<double>();
        if (mapDir is not null)
        {
            Directory.CreateDirectory(mapDir);
        }
        // Spread the sample over patients: every k-th row.
        var step = Math.Max(1, rows.Count / Math.Max(1, limit));
        var sample = rows.Where((_, i) => i % step == 0).Take(limit).ToList();

        var errors = new List<double>();
        var residuals = new List<double>();
        var failures = 0;
        var unrelatedAccepted = 0;
        var unrelatedTried = 0;
        var seconds = new List<double>();
        for (var i = 0; i < sample.Count; i++)
        {
            var row = sample[i];
            var rng = new Random(seed * 7919 + i);
            var warp = new KnownWarp(
                RotationDegrees: Uniform(rng, -20, 20),
                ScaleFactor: Uniform(rng, 0.9, 1.1),
                ShiftXPixels: Uniform(rng, -40, 40),
                ShiftYPixels: Uniform(rng, -40, 40),
                PerspectiveX: Uniform(rng, -0.08, 0.08),
                PerspectiveY: Uniform(rng, -0.08, 0.08),
                Contrast: Uniform(rng, 0.75, 1.25),
                BrightnessOffset: Uniform(rng, -25, 25));

            using var before = Load(Path.Combine(root, row.Image));
            var (after, valid) = warp.Apply(before);
            using (after)
            using (valid)
            {
                using var afterMask = Erode(valid);
                var sw = Stopwatch.StartNew();
                var result = ImageRegistration.Register(new RegistrationSide(before), new RegistrationSide(after, FeatureMask: afterMask), options, CancellationToken.None);
                seconds.Add(sw.Elapsed.TotalSeconds);
                var hTrue = warp.Homography(before.WidthPixels, before.HeightPixels);
                double? error = result.HomographyAfterToBefore is { } h ? KnownWarp.MedianGridErrorPixels(hTrue, h, before.WidthPixels, before.HeightPixels) : null;
                if (result.Succeeded && error is { } e)
                {
                    errors.Add(e);
                    residuals.Add(result.MedianReprojectionErrorPixels ?? double.NaN);
                }
                else
                {
                    failures++;
                }

                if (result.Succeeded && annotations is not null && annotations.TryGetValue(row.Image, out var boxes))
                {
                    var change = CompareAnnotated(before, after, valid, boxes, hTrue, result);
                    if (change.Overall?.Hairs.RelativeChangeFraction is { } relative)
                    {
                        hairChanges.Add(relative);
                    }

                    if (mapDir is not null && change.ChangeMapPng is { } png)
                    {
                        File.WriteAllBytes(Path.Combine(mapDir, Path.GetFileNameWithoutExtension(row.Image) + "_change.png"), png);
                    }

                    if (verbose)
                    {
                        Console.WriteLine($"  hairs {change.Overall?.Hairs.BeforeCount} -> {change.Overall?.Hairs.AfterCount}, matched {change.Overall?.Matching.MatchedCount}, common {change.CommonAreaFractionOfBefore:P0}");
                    }
                }

                if (verbose || !result.Succeeded)
                {
                    Console.WriteLine($"{row.Image}: {(result.Succeeded ? "ok" : "REFUSED " + result.Refusal)} {result.Method} inliers {result.InlierCount}/{result.MatchCount} residual {result.MedianReprojectionErrorPixels:F2} grid error {error:F2} px ({sw.Elapsed.TotalSeconds:F2} s) {(result.Succeeded ? "" : result.Message)}");
                }
            }

            // Unrelated pairs: this frame against a frame of another patient, and against another
            // field of the same patient (same skin and hair, different spot), both warped.
            var otherPatient = sample.Skip(i + 1).Concat(sample.Take(i)).FirstOrDefault(r => r.Patient != row.Patient);
            var otherField = rows.FirstOrDefault(r => r.Patient == row.Patient && r.Image != row.Image);
            foreach (var other in new[] { otherPatient, otherField })
            {
                if (other is null)
                {
                    continue;
                }

                using var otherImage = Load(Path.Combine(root, other.Image));
                var (otherWarped, otherValid) = warp.Apply(otherImage);
                using (otherWarped)
                using (otherValid)
                {
                    using var otherMask = Erode(otherValid);
                    var unrelated = ImageRegistration.Register(new RegistrationSide(before), new RegistrationSide(otherWarped, FeatureMask: otherMask), options, CancellationToken.None);
                    unrelatedTried++;
                    if (unrelated.Succeeded)
                    {
                        unrelatedAccepted++;
                        Console.WriteLine($"UNRELATED ACCEPTED {row.Image} vs {other.Image}: {unrelated.Method} inliers {unrelated.InlierCount}/{unrelated.MatchCount}");
                    }
                    else if (verbose)
                    {
                        Console.WriteLine($"  unrelated {other.Image}: refused {unrelated.Refusal} ({unrelated.InlierCount}/{unrelated.MatchCount})");
                    }
                }
            }
        }

        Console.WriteLine($"Frames: {sample.Count}; registered: {errors.Count}; refused: {failures}");
        if (errors.Count > 0)
        {
            Console.WriteLine($"Grid error vs known homography (px): median {Percentile(errors, 0.5):F2}, p90 {Percentile(errors, 0.9):F2}, max {errors.Max():F2}; under 2 px: {errors.Count(e => e < 2)}/{errors.Count}");
            Console.WriteLine($"Inlier residual (px): median {Percentile(residuals, 0.5):F2}");
        }

        if (hairChanges.Count > 0)
        {
            var abs = hairChanges.Select(Math.Abs).ToList();
            Console.WriteLine($"Hair-count change over the common area (annotated hairs, truth 0): median {Percentile(hairChanges, 0.5):P1}, median |change| {Percentile(abs, 0.5):P1}, p90 |change| {Percentile(abs, 0.9):P1}, max |change| {abs.Max():P1}; within 3%: {abs.Count(a => a <= 0.03)}/{abs.Count}");
        }

        Console.WriteLine($"Unrelated pairs accepted: {unrelatedAccepted}/{unrelatedTried}");
        Console.WriteLine($"Registration time (s): median {Percentile(seconds, 0.5):F2}, max {(seconds.Count > 0 ? seconds.Max() : 0):F2}");
        return 0;
    }

    private static double Uniform(Random rng, double min, double max) => min + (max - min) * rng.NextDouble();

    private static double Percentile(List<double> values, double q)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.OrderBy(v => v).ToArray();
        var index = (int)Math.Round(q * (sorted.Length - 1));
        return sorted[index];
    }

    private static Mat Erode(Mat mask)
    {
        // Keep keypoints off the black border the warp leaves: its corners are not scalp.
        var eroded = new Mat();
        using var kernel = Cv2.GetStructuringElement(MorphShapes.Rect, new Size(15, 15));
        Cv2.Erode(mask, eroded, kernel);
        return eroded;
    }

    private static ScalpImage Load(string path)
    {
        var mat = Cv2.ImRead(path, ImreadModes.Color);
        if (mat.Empty())
        {
            mat.Dispose();
            throw new InvalidOperationException($"Cannot read image '{path}'.");
        }

        return ScalpImage.FromBgr(mat, ImageFormat.Jpeg);
    }

    /// <summary>
    /// Change over the common area with the annotators' hairs: box centres stand for emergence
    /// points, filled boxes for the hair mask; the after side gets them through the known warp.
    /// This isolates registration and common-area bookkeeping from detection noise.
    /// </summary>
    private static ChangeResult CompareAnnotated(ScalpImage before, ScalpImage after, Mat afterValid, List<Rect> boxes, double[] hTrue, RegistrationResult registration)
    {
        using var beforeMask = new Mat(before.HeightPixels, before.WidthPixels, MatType.CV_8UC1, Scalar.All(255));
        using var beforeHair = new Mat(before.HeightPixels, before.WidthPixels, MatType.CV_8UC1, Scalar.All(0));
        var beforeHairs = new List<HairInstance>();
        var afterHairs = new List<HairInstance>();
        var beforeUnits = new List<FollicularUnit>();
        var afterUnits = new List<FollicularUnit>();
        for (var k = 0; k < boxes.Count; k++)
        {
            var b = boxes[k];
            Cv2.Rectangle(beforeHair, b, Scalar.All(255), -1);
            var centre = new PointPixels(b.X + b.Width / 2.0, b.Y + b.Height / 2.0);
            var width = Math.Min(b.Width, b.Height);
            var length = Math.Sqrt(b.Width * (double)b.Width + b.Height * (double)b.Height);
            beforeHairs.Add(new HairInstance(k, centre, centre, length, width, k, false));
            beforeUnits.Add(new FollicularUnit(k, centre, [k]));
            var mapped = HomographyMath.Apply(hTrue, centre.X, centre.Y);
            afterHairs.Add(new HairInstance(k, mapped, mapped, length, width, k, false));
            afterUnits.Add(new FollicularUnit(k, mapped, [k]));
        }

        using var hMat = KnownWarp.ToMat(hTrue);
        using var afterHair = new Mat();
        Cv2.WarpPerspective(beforeHair, afterHair, hMat, beforeHair.Size(), InterpolationFlags.Nearest, BorderTypes.Constant, Scalar.All(0));
        // Hairs mapped outside the after frame are not on the after photo.
        afterHairs = afterHairs.Where(x => x.Emergence.X >= 0 && x.Emergence.Y >= 0 && x.Emergence.X < after.WidthPixels && x.Emergence.Y < after.HeightPixels).ToList();
        var beforeSide = new ComparisonSide(before, beforeMask, beforeHair, beforeHairs, beforeUnits);
        var afterSide = new ComparisonSide(after, afterValid, afterHair, afterHairs, afterUnits);
        return ChangeAnalysis.Compare(beforeSide, afterSide, registration, new ChangeOptions(), CancellationToken.None);
    }

    private static Dictionary<string, List<Rect>> ReadBoxes(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        int Col(string name) => Array.IndexOf(header, name);
        int image = Col("image"), x0 = Col("x_min"), y0 = Col("y_min"), x1 = Col("x_max"), y1 = Col("y_max");
        var boxes = new Dictionary<string, List<Rect>>(StringComparer.Ordinal);
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            var c = line.Split(',');
            var x = int.Parse(c[x0], CultureInfo.InvariantCulture);
            var y = int.Parse(c[y0], CultureInfo.InvariantCulture);
            var rect = new Rect(x, y, int.Parse(c[x1], CultureInfo.InvariantCulture) - x, int.Parse(c[y1], CultureInfo.InvariantCulture) - y);
            if (!boxes.TryGetValue(c[image], out var list))
            {
                boxes[c[image]] = list = [];
            }

            list.Add(rect);
        }

        return boxes;
    }

    private sealed record ManifestRow(string Image, string Patient);

    private static List<ManifestRow> ReadManifest(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        var imageCol = Array.IndexOf(header, "image");
        var patientCol = Array.IndexOf(header, "patient");
        return lines.Skip(1).Where(l => l.Length > 0).Select(l => l.Split(','))
            .Select(c => new ManifestRow(c[imageCol], patientCol >= 0 ? c[patientCol] : c[imageCol]))
            .ToList();
    }
}
