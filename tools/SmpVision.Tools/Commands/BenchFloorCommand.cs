using System.Globalization;
using OpenCvSharp;
using SmpVision.Pipeline.Analysis;
using SmpVision.Pipeline.Segmentation;

namespace SmpVision.Tools.Commands;

/// <summary>
/// Puts the analysis/decode ratio of <c>bench</c> in context: times single reference operations
/// on the same frames, each as a ratio to decoding the frame. They are the floor any honest
/// trichoscopy analysis pays (a colour conversion to measure CIELAB, one morphological filter
/// sized to a shaft) and the "quick OpenCV script" of the data README (black-hat + Otsu +
/// connected components, ~21% median count error on the real set) at full and at the
/// segmentation's working resolution. Ratios only; never a timed test.
/// </summary>
internal sealed class BenchFloorCommand : IToolCommand
{
    public string Name => "bench-floor";

    public string Usage => "--manifest CSV [--limit N] [--repeat R] [--threads T]";

    public int Run(IReadOnlyList<string> args)
    {
        string? manifest = null;
        int limit = 20, repeat = 5, threads = 1;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--manifest": manifest = args[++i]; break;
                case "--limit": limit = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--repeat": repeat = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default:
                    Console.Error.WriteLine($"Unknown argument {args[i]}. Usage: bench-floor {Usage}");
                    return 2;
            }
        }

        if (manifest is null)
        {
            Console.Error.WriteLine($"Usage: bench-floor {Usage}");
            return 2;
        }

        ScalpAnalyzer.ConfigureNativeThreads(threads);
        var data = DataManifest.Read(manifest);
        var frames = data.Rows.Take(limit).Select(r => (Bytes: File.ReadAllBytes(data.ImagePath(r)), PixelsPerMillimetre: data.Number(r, "pixels_per_mm") ?? 361)).ToList();
        if (frames.Count == 0)
        {
            Console.Error.WriteLine("No images.");
            return 1;
        }

        var analyzer = new ScalpAnalyzer(new AnalyzerOptions());
        var operations = new (string Name, Func<Mat, double, Action> Prepare)[]
        {
            ("BGR -> CIELAB, full frame", (bgr, _) => () =>
            {
                using var lab = new Mat();
                Cv2.CvtColor(bgr, lab, ColorConversionCodes.BGR2Lab);
            }),
            ("resize to the working scale", (bgr, ppm) => () =>
            {
                using var small = new Mat();
                Cv2.Resize(bgr, small, WorkingSize(bgr, ppm), 0, 0, InterpolationFlags.Area);
            }),
            ("quick script, full frame", (bgr, ppm) => () => QuickScript(bgr, ppm)),
            ("quick script, working scale", (bgr, ppm) => () =>
            {
                using var small = new Mat();
                Cv2.Resize(bgr, small, WorkingSize(bgr, ppm), 0, 0, InterpolationFlags.Area);
                QuickScript(small, ppm * small.Cols / bgr.Cols);
            }),
        };

        var ratios = operations.Select(_ => new List<double>()).ToList();
        var analysisRatios = new List<double>();
        var n = 0;
        foreach (var (bytes, ppm) in frames)
        {
            var decodeMs = BenchTiming.MedianMilliseconds(() =>
            {
                using var m = Cv2.ImDecode(bytes, ImreadModes.Color);
            }, repeat);
            using var bgr = Cv2.ImDecode(bytes, ImreadModes.Color);
            for (var k = 0; k < operations.Length; k++)
            {
                ratios[k].Add(BenchTiming.MedianMilliseconds(operations[k].Prepare(bgr, ppm), repeat) / decodeMs);
            }

            var request = new AnalysisRequest { Scale = new ScaleRequest(ppm, null, null, null) };
            analysisRatios.Add(BenchTiming.MedianMilliseconds(() => analyzer.Analyze(bytes, request, CancellationToken.None), repeat) / decodeMs);

            Console.Error.Write($"\r{++n}/{frames.Count}");
        }

        Console.Error.WriteLine();
        Console.WriteLine($"frames: {frames.Count} ({manifest}), repeats {repeat}, OpenCV threads {threads}");
        Console.WriteLine("time / JPEG decode time of the same frame (median, p90):");
        for (var k = 0; k < operations.Length; k++)
        {
            Console.WriteLine($"  {operations[k].Name,-30} {BenchTiming.Median(ratios[k]),6:0.00} {BenchTiming.Percentile(ratios[k], 0.9),6:0.00}");
        }

        Console.WriteLine($"  {"full analysis",-30} {BenchTiming.Median(analysisRatios),6:0.00} {BenchTiming.Percentile(analysisRatios, 0.9),6:0.00}");

        return 0;
    }

    /// <summary>The frame size the hair segmentation works at (its own rule and default scale).</summary>
    private static Size WorkingSize(Mat bgr, double pixelsPerMillimetre)
    {
        var factor = HairSegmenter.WorkingFactor(pixelsPerMillimetre, new HairSegmentationOptions());
        return new Size(Math.Max(1, (int)Math.Round(bgr.Cols * factor)), Math.Max(1, (int)Math.Round(bgr.Rows * factor)));
    }

    /// <summary>The data README's baseline: grey, black-hat sized to a 220 um shaft neighbourhood, Otsu, components.</summary>
    private static void QuickScript(Mat bgr, double pixelsPerMillimetre)
    {
        var k = Math.Max(3, (int)Math.Round(0.22 * pixelsPerMillimetre) | 1);
        using var grey = new Mat();
        using var hat = new Mat();
        using var binary = new Mat();
        using var labels = new Mat();
        using var stats = new Mat();
        using var centroids = new Mat();
        using var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(k, k));
        Cv2.CvtColor(bgr, grey, ColorConversionCodes.BGR2GRAY);
        Cv2.MorphologyEx(grey, hat, MorphTypes.BlackHat, kernel);
        Cv2.Threshold(hat, binary, 0, 255, ThresholdTypes.Binary | ThresholdTypes.Otsu);
        Cv2.ConnectedComponentsWithStats(binary, labels, stats, centroids);
    }
}
