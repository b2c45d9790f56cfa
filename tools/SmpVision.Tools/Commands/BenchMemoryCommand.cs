using System.Globalization;
using OpenCvSharp;
using SmpVision.Pipeline.Analysis;
using SmpVision.Pipeline.Model;

namespace SmpVision.Tools.Commands;

/// <summary>
/// Measures the memory bound of issue 17: for each accepted input, the process's peak resident
/// memory during one analysis (the kernel's VmHWM, reset before each) against the decoded 8-bit
/// BGR bytes of the analysed image. The bound stated in the README is
/// peak working set &lt;= 8 x decoded BGR bytes + fixed overhead, the fixed overhead being the
/// warmed-up process at rest. Real photos are used as they are and upscaled (2x, 4x per side,
/// re-encoded as JPEG, plus a 16-bit PNG) to reach phone-camera sizes and the reduced decoding.
/// </summary>
internal sealed class BenchMemoryCommand : IToolCommand
{
    public string Name => "bench-memory";

    public string Usage => "--manifest CSV [--manifest CSV2] [--limit N] [--upscale 1,2,4] [--png16]";

    public int Run(IReadOnlyList<string> args)
    {
        var manifests = new List<string>();
        var limit = 3;
        int[] upscale = [1, 2, 4];
        var png16 = false;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--manifest": manifests.Add(args[++i]); break;
                case "--limit": limit = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--upscale": upscale = [.. args[++i].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))]; break;
                case "--png16": png16 = true; break;
                default:
                    Console.Error.WriteLine($"Unknown argument {args[i]}. Usage: {Name} {Usage}");
                    return 2;
            }
        }

        if (manifests.Count == 0 || !File.Exists("/proc/self/clear_refs"))
        {
            Console.Error.WriteLine($"Usage: {Name} {Usage} (Linux only: it reads /proc/self/status)");
            return 2;
        }

        var analyzer = new ScalpAnalyzer(new AnalyzerOptions());
        var inputs = manifests.SelectMany(m => Inputs(m, limit, upscale, png16)).ToList();
        analyzer.Analyze(inputs[0].Bytes, new AnalysisRequest(), CancellationToken.None); // warm-up: native code, models
        Console.WriteLine("image\tanalysed_px\tbgr_MiB\trest_MiB\tpeak_MiB\tpeak_minus_rest_MiB\tratio_to_bgr\tresult");
        var worst = 0.0;
        var restMax = 0.0;
        foreach (var (name, bytes) in inputs)
        {
            var (rest, peak, analysedPixels, outcome) = Measure(analyzer, bytes);
            var bgr = analysedPixels * 3 / 1048576.0;
            var ratio = analysedPixels > 0 ? (peak - rest) / bgr : double.NaN;
            if (analysedPixels > 0)
            {
                worst = Math.Max(worst, ratio);
                restMax = Math.Max(restMax, rest);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}\t{analysedPixels}\t{bgr:0.0}\t{rest:0}\t{peak:0}\t{peak - rest:0}\t{ratio:0.00}\t{outcome}"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"worst (peak - rest) / decoded BGR bytes: {worst:0.00} (bound 8); process at rest up to {restMax:0} MiB (the fixed overhead)"));
        return worst <= 8 ? 0 : 1;
    }

    private static (double RestMiB, double PeakMiB, long AnalysedPixels, string Outcome) Measure(ScalpAnalyzer analyzer, byte[] bytes)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var rest = Status("VmRSS:");
        File.WriteAllText("/proc/self/clear_refs", "5"); // resets VmHWM to the current RSS
        long pixels = 0;
        string outcome;
        try
        {
            var result = analyzer.Analyze(bytes, new AnalysisRequest { Output = new OutputRequest(true, true, true, false) }, CancellationToken.None);
            pixels = (long)result.Image.WidthPixels * result.Image.HeightPixels;
            outcome = $"{result.Modality} {result.Image.EncodedWidthPixels}x{result.Image.EncodedHeightPixels} /{result.Image.ReductionFactor}";
        }
        catch (Exception ex) when (ex is SmpVision.Pipeline.Imaging.InvalidImageException or InvalidRequestException)
        {
            outcome = "refused: " + ex.Message[..Math.Min(80, ex.Message.Length)];
        }

        return (rest, Status("VmHWM:"), pixels, outcome);
    }

    private static double Status(string key)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(key, StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }

    private static IEnumerable<(string Name, byte[] Bytes)> Inputs(string manifestPath, int limit, int[] upscale, bool png16)
    {
        var manifest = DataManifest.Read(manifestPath);
        foreach (var row in manifest.Rows.Take(limit))
        {
            var bytes = File.ReadAllBytes(manifest.ImagePath(row));
            var name = Path.GetFileNameWithoutExtension(manifest.ImageName(row));
            foreach (var factor in upscale)
            {
                if (factor == 1)
                {
                    yield return (name, bytes);
                    continue;
                }

                using var decoded = Cv2.ImDecode(bytes, ImreadModes.Color);
                using var large = new Mat();
                Cv2.Resize(decoded, large, new Size(decoded.Cols * factor, decoded.Rows * factor), 0, 0, InterpolationFlags.Cubic);
                yield return ($"{name} x{factor} jpeg", large.ImEncode(".jpg", new ImageEncodingParam(ImwriteFlags.JpegQuality, 92)));
                if (png16 && factor == upscale[^1])
                {
                    using var deep = new Mat();
                    large.ConvertTo(deep, MatType.CV_16UC3, 257);
                    yield return ($"{name} x{factor} png16", deep.ImEncode(".png"));
                }
            }
        }
    }
}
