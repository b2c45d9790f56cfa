using System.Diagnostics;
using System.Globalization;
using OpenCvSharp;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.Overhead;
using SmpVision.Pipeline.Synthetic.Overhead;

namespace SmpVision.Tools.Commands;

/// <summary>
/// Times <see cref="OverheadAnalysis.Run(SmpVision.Pipeline.Imaging.ScalpImage, OverheadOptions, CancellationToken)"/> on a 12-megapixel photo (4000x3000): a given image
/// resized to that size, or a generated scene upscaled to it. Prints the median wall time and the
/// median per stage. Target: under one second on the 2-core dev machine.
/// </summary>
internal sealed class BenchOverheadCommand : IToolCommand
{
    public string Name => "bench-overhead";

    public string Usage => "[--image PATH] [--runs N] [--width W --height H]";

    public int Run(IReadOnlyList<string> args)
    {
        string? path = null;
        int runs = 5, width = 4000, height = 3000;
        for (int i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--image" when i + 1 < args.Count: path = args[++i]; break;
                case "--runs" when i + 1 < args.Count: runs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--width" when i + 1 < args.Count: width = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--height" when i + 1 < args.Count: height = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default:
                    Console.Error.WriteLine($"Unexpected argument '{args[i]}'. Usage: {Usage}");
                    return 2;
            }
        }

        var big = new Mat();
        if (path is not null)
        {
            using var src = Cv2.ImRead(path, ImreadModes.Color);
            Cv2.Resize(src, big, new Size(width, height), 0, 0, InterpolationFlags.Cubic);
        }
        else
        {
            using var scene = OverheadSceneGenerator.Generate(new OverheadSceneSpec { WidthPixels = 800, HeightPixels = 600, Background = SceneBackground.Busy, Glare = true });
            using var small = Cv2.ImDecode(scene.Image.EncodePng(), ImreadModes.Color);
            Cv2.Resize(small, big, new Size(width, height), 0, 0, InterpolationFlags.Cubic);
        }

        using var image = ScalpImage.FromBgr(big);
        var options = new OverheadOptions();
        using (OverheadAnalysis.Run(image, options, CancellationToken.None))
        {
            // Warm-up: JIT and OpenCV's first-call allocations.
        }

        var totals = new List<double>();
        var stages = new Dictionary<string, List<double>>();
        for (int r = 0; r < runs; r++)
        {
            var sw = Stopwatch.StartNew();
            using var result = OverheadAnalysis.Run(image, options, CancellationToken.None);
            totals.Add(sw.Elapsed.TotalMilliseconds);
            foreach (var t in result.Timings)
            {
                if (!stages.TryGetValue(t.Stage, out var list))
                {
                    stages[t.Stage] = list = [];
                }

                list.Add(t.Milliseconds);
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{width}x{height} ({width * height / 1e6:F1} MP), {runs} runs, {Environment.ProcessorCount} cores: median {Median(totals):F0} ms, min {totals.Min():F0} ms, max {totals.Max():F0} ms"));
        foreach (var (stage, list) in stages)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {stage,-22} {Median(list),8:F1} ms"));
        }

        return 0;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
