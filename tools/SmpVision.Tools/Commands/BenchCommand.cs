using System.Diagnostics;
using System.Globalization;
using OpenCvSharp;
using SmpVision.Pipeline.Analysis;
using SmpVision.Pipeline.Model;
using SmpVision.Pipeline.Synthetic;

namespace SmpVision.Tools.Commands;

/// <summary>
/// End-to-end benchmark: full analysis time per image as a ratio to decoding the same encoded
/// image, plus allocation and peak memory. Ratios, not absolute times, are the result: they
/// carry across machines. Never used as a timed test.
/// </summary>
internal sealed class BenchCommand : IToolCommand
{
    public string Name => "bench";

    public string Usage => "[--manifest CSV | --generate N] [--limit N] [--repeat R] [--modality trichoscopy|overhead|detect] [--threads T] [--native-allocator]";

    public int Run(IReadOnlyList<string> args)
    {
        string? manifest = null;
        int generate = 8, limit = int.MaxValue, repeat = 3, threads = 1;
        var modality = Modality.Trichoscopy;
        var nativeAllocator = false;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--manifest": manifest = args[++i]; break;
                case "--generate": generate = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--limit": limit = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--repeat": repeat = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--native-allocator": nativeAllocator = true; break;
                case "--modality":
                    modality = args[++i] switch { "overhead" => Modality.Overhead, "detect" => Modality.Unknown, _ => Modality.Trichoscopy };
                    break;
                default:
                    Console.Error.WriteLine($"Unknown argument {args[i]}. Usage: bench {Usage}");
                    return 2;
            }
        }

        ScalpAnalyzer.ConfigureNativeThreads(threads);
        var allocatorTuned = nativeAllocator && ScalpAnalyzer.ConfigureNativeAllocator();
        var inputs = manifest is null ? Generated(generate) : FromManifest(manifest).Take(limit).ToList();
        if (inputs.Count == 0)
        {
            Console.Error.WriteLine("No images to benchmark.");
            return 1;
        }

        var analyzer = new ScalpAnalyzer(new AnalyzerOptions());
        var request = new AnalysisRequest { Modality = modality };
        analyzer.Analyze(inputs[0].Bytes, request with { Scale = inputs[0].Scale }, CancellationToken.None); // warm-up

        var decodeMs = new List<double>();
        var analyseMs = new List<double>();
        var ratios = new List<double>();
        var allocatedMb = new List<double>();
        var stageTotals = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, bytes, scale) in inputs)
        {
            var decode = BenchTiming.Median(Enumerable.Range(0, repeat).Select(_ => BenchTiming.Milliseconds(() =>
            {
                using var m = Cv2.ImDecode(bytes, ImreadModes.Color);
            })));
            ScalpAnalysisResult? last = null;
            var before = GC.GetAllocatedBytesForCurrentThread();
            var analyse = BenchTiming.Median(Enumerable.Range(0, repeat).Select(_ => BenchTiming.Milliseconds(() => last = analyzer.Analyze(bytes, request with { Scale = scale }, CancellationToken.None))));
            allocatedMb.Add((GC.GetAllocatedBytesForCurrentThread() - before) / (double)repeat / 1048576.0);
            decodeMs.Add(decode);
            analyseMs.Add(analyse);
            ratios.Add(analyse / decode);
            foreach (var t in last!.Timings)
            {
                stageTotals[t.Stage] = stageTotals.GetValueOrDefault(t.Stage) + t.Milliseconds;
            }

            Console.Error.Write($"\r{decodeMs.Count}/{inputs.Count} {name}");
        }

        Console.Error.WriteLine();
        var process = Process.GetCurrentProcess();
        Console.WriteLine($"images: {inputs.Count} ({(manifest is null ? "generated 1280x1024 JPEG q90" : manifest)}), repeats {repeat}, OpenCV threads {threads}, {Environment.ProcessorCount} cores, native allocator {(allocatorTuned ? "tuned" : "default")}");
        Console.WriteLine($"analysis / JPEG decode time ratio: median {BenchTiming.Median(ratios):0.00}, p90 {BenchTiming.Percentile(ratios, 0.9):0.00}, max {ratios.Max():0.00}");
        Console.WriteLine($"absolute (this machine only): decode median {BenchTiming.Median(decodeMs):0.0} ms, analysis median {BenchTiming.Median(analyseMs):0.0} ms");
        Console.WriteLine($"managed allocation per analysis: median {BenchTiming.Median(allocatedMb):0.0} MiB; process peak working set {process.PeakWorkingSet64 / 1048576.0:0} MiB");
        var total = stageTotals.Values.Sum();
        Console.WriteLine("share of analysis time by stage:");
        foreach (var (stage, ms) in stageTotals.OrderByDescending(kv => kv.Value))
        {
            Console.WriteLine($"  {stage,-28} {ms / total:P1}");
        }

        return 0;
    }

    private static List<(string Name, byte[] Bytes, ScaleRequest? Scale)> Generated(int count) =>
        [.. Enumerable.Range(0, count).Select(i =>
        {
            var spec = new SyntheticTrichoscopySpec { JpegQuality = 90, Overlays = i % 2 == 0 ? SyntheticOverlays.None : SyntheticOverlays.InfoBar | SyntheticOverlays.ScaleBar };
            var frame = SyntheticTrichoscopyGenerator.Generate(spec, seed: 1000 + i);
            return ($"generated-{i}", frame.EncodedImage, (ScaleRequest?)new ScaleRequest(spec.PixelsPerMillimetre, null, null, null));
        })];

    private static IEnumerable<(string Name, byte[] Bytes, ScaleRequest? Scale)> FromManifest(string path)
    {
        var manifest = DataManifest.Read(path);
        foreach (var row in manifest.Rows)
        {
            var scale = manifest.Number(row, "pixels_per_mm") is { } ppm ? new ScaleRequest(ppm, null, null, null) : null;
            yield return (manifest.ImageName(row), File.ReadAllBytes(manifest.ImagePath(row)), scale);
        }
    }
}
