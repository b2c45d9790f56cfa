using System.Diagnostics;
using System.Globalization;
using OpenCvSharp;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.Measurement;

namespace SmpVision.Tools.Commands;

/// <summary>
/// Times JPEG decode and the full trichoscopy analysis of one frame in a Stopwatch loop (after
/// warm-up, so JIT tiering is excluded) and prints medians and their ratio.
/// </summary>
internal sealed class BenchTrichoscopyCommand : IToolCommand
{
    public string Name => "bench-trichoscopy";

    public string Usage => "--image PATH [--iterations N] [--pixels-per-mm X]";

    public int Run(IReadOnlyList<string> args)
    {
        string? path = null;
        int iterations = 30;
        double ppm = 361;
        for (int i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--image": path = args[++i]; break;
                case "--iterations": iterations = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--pixels-per-mm": ppm = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default:
                    Console.Error.WriteLine($"Unknown argument {args[i]}. Usage: {Usage}");
                    return 2;
            }
        }

        if (path is null || !File.Exists(path) || iterations < 1)
        {
            Console.Error.WriteLine($"Usage: {Usage}");
            return 2;
        }

        var bytes = File.ReadAllBytes(path);
        var scale = new Scale(ppm, ScaleSource.Request, 0.15, "bench");
        var options = new TrichoscopyOptions();
        var decode = new List<double>();
        var analysis = new List<double>();
        var stages = new Dictionary<string, List<double>>();
        for (int i = 0; i < iterations + 5; i++)
        {
            var sw = Stopwatch.StartNew();
            using var mat = Cv2.ImDecode(bytes, ImreadModes.Color);
            double d = sw.Elapsed.TotalMilliseconds;
            using var image = ScalpImage.FromBgr(mat.Clone(), ImageFormat.Jpeg);
            sw.Restart();
            using var result = TrichoscopyAnalysis.Run(image, scale, options, CancellationToken.None);
            double a = sw.Elapsed.TotalMilliseconds;
            if (i < 5)
            {
                continue; // warm-up: JIT tiering
            }

            decode.Add(d);
            analysis.Add(a);
            foreach (var t in result.Timings)
            {
                if (!stages.TryGetValue(t.Stage, out var list))
                {
                    stages[t.Stage] = list = [];
                }

                list.Add(t.Milliseconds);
            }
        }

        double md = Median(decode), ma = Median(analysis);
        Console.WriteLine($"frame {Path.GetFileName(path)}, {iterations} iterations, {Environment.ProcessorCount} logical CPUs");
        Console.WriteLine($"decode median {md:F1} ms, analysis median {ma:F1} ms, ratio {ma / md:F2}x");
        Console.WriteLine("stages (median ms): " + string.Join(", ", stages.Select(kv => $"{kv.Key} {Median(kv.Value):F1}")));
        return 0;
    }

    private static double Median(List<double> v)
    {
        var s = v.OrderBy(x => x).ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : 0.5 * (s[(s.Count / 2) - 1] + s[s.Count / 2]);
    }
}
