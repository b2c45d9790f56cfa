using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OpenCvSharp;
using SmpVision.Pipeline.Analysis;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Measurement.Colour;
using SmpVision.Pipeline.Quality;
using SmpVision.Pipeline.Regions;
using SmpVision.Pipeline.Segmentation;
using SmpVision.Pipeline.Synthetic;

namespace SmpVision.Tools.Commands;

/// <summary>
/// Per-stage timing (thread CPU time, which is stable on a loaded machine) and a fingerprint of
/// every output per frame (the whole analysis result as JSON, timings left out, plus hashes of
/// the masks and the label map), so that a speed-up can be shown not to change results: two
/// builds that print the same fingerprints produced the same numbers. SPEED_PROBE_DUMP=prefix
/// writes each frame's fingerprint text to prefix-N.txt for a diff. Also the managed allocation
/// per stage: large temporary arrays cost full garbage collections.
/// </summary>
internal sealed class SpeedProbeCommand : IToolCommand
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public string Name => "speed-probe";

    public string Usage => "speed-probe [--generate N | --manifest CSV [--limit N]] [--repeat R] [--native-allocator]: mean thread CPU time per stage and an output fingerprint per frame";

    public int Run(IReadOnlyList<string> args)
    {
        var generate = 3;
        var repeat = 5;
        var limit = int.MaxValue;
        string? manifest = null;
        for (var i = 0; i < args.Count - 1; i++)
        {
            if (args[i] == "--generate") generate = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            if (args[i] == "--repeat") repeat = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            if (args[i] == "--limit") limit = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            if (args[i] == "--manifest") manifest = args[i + 1];
        }

        ScalpAnalyzer.ConfigureNativeThreads(1);
        if (args.Contains("--native-allocator"))
        {
            Console.WriteLine($"native allocator tuned: {ScalpAnalyzer.ConfigureNativeAllocator()}");
        }

        var options = new AnalyzerOptions();
        var analyzer = new ScalpAnalyzer(options);
        var frames = manifest is null ? Generated(generate) : FromManifest(manifest).Take(limit).ToList();
        var totals = new Dictionary<string, double>();
        var dump = Environment.GetEnvironmentVariable("SPEED_PROBE_DUMP");
        for (var f = 0; f < frames.Count; f++)
        {
            var (name, encoded, ppm) = frames[f];
            using var image = ImageDecoder.Decode(encoded, options.Decoding);
            var scale = new Scale(ppm, ScaleSource.Request, 0.0, "probe");
            var fp = new StringBuilder();
            var t = options.Trichoscopy;
            Time(totals, "decode", repeat, () => { using var m = Cv2.ImDecode(encoded, ImreadModes.Color); });
            Time(totals, "plausibility", repeat, () => ScalpPlausibility.Check(image, options.Plausibility));
            Time(totals, "field-mask", repeat, () =>
            {
                using var fm = FieldMasker.Compute(image.Bgr, t.FieldMask, CancellationToken.None);
            });
            using var field = FieldMasker.Compute(image.Bgr, t.FieldMask, CancellationToken.None);
            fp.Append("field ").Append(field.Summary).Append(' ').Append(Hash(field.AnalysableMask)).Append(' ')
                .Append(string.Join(";", field.HorizontalLines)).Append(string.Join(";", field.VerticalLines)).Append(string.Join(";", field.FlatBoxes)).AppendLine();
            Time(totals, "hair-segmentation", repeat, () =>
            {
                using var s = HairSegmenter.Segment(image.Bgr, field.AnalysableMask, scale.PixelsPerMillimetre, t.HairSegmentation, CancellationToken.None);
            });
            using var seg = HairSegmenter.Segment(image.Bgr, field.AnalysableMask, scale.PixelsPerMillimetre, t.HairSegmentation, CancellationToken.None);
            // Colour and quality read the segmentation's own working image (no second resize).
            var work = seg.WorkingBgr;
            Time(totals, "colour", repeat, () => ColourMeasurement.Measure(work, seg, t.Colour));
            Time(totals, "quality", repeat, () => FrameQuality.Measure(work, seg, 0.9, t.Quality));
            Time(totals, "trichoscopy", repeat, () =>
            {
                using var r = TrichoscopyAnalysis.Run(image, scale, t, CancellationToken.None);
            });
            using var tr = TrichoscopyAnalysis.Run(image, scale, t, CancellationToken.None);
            fp.Append("hair mask ").Append(Hash(tr.HairMask)).Append(" analysable ").Append(Hash(tr.AnalysableMask)).AppendLine();
            Time(totals, "regions", repeat, () =>
            {
                using var map = RegionSegmentation.Run(image, tr.AnalysableMask, tr.HairMask, tr.Hairs, tr.FollicularUnits, tr.Scale, options.Regions, CancellationToken.None);
            });
            using (var map = RegionSegmentation.Run(image, tr.AnalysableMask, tr.HairMask, tr.Hairs, tr.FollicularUnits, tr.Scale, options.Regions, CancellationToken.None))
            {
                fp.Append("regions ").Append(Hash(map.Labels)).Append(' ').Append(Hash(map.RegionIds)).Append(' ').Append(map.ReferenceFolliclesPerSquarePixel).AppendLine();
            }

            // The whole response (every number the service returns), timings left out.
            var result = analyzer.Analyze(encoded, new AnalysisRequest { Scale = new ScaleRequest(ppm, null, null, null), Output = new OutputRequest(LabelMap: true, DotLayout: true, Preview: false, Hairs: true) }, CancellationToken.None);
            fp.Append("label map ").Append(Convert.ToHexString(SHA256.HashData(result.LabelMapPng ?? []))[..16]).AppendLine();
            fp.Append(JsonSerializer.Serialize(result with { Timings = [], LabelMapPng = null }, Json));
            Console.WriteLine($"frame {f} {name}: fingerprint {Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(fp.ToString())))[..16]}");
            if (dump is not null)
            {
                File.WriteAllText($"{dump}-{f}.txt", fp.ToString());
            }
        }

        foreach (var (k, v) in totals)
        {
            Console.WriteLine(k.EndsWith(" MiB", StringComparison.Ordinal)
                ? $"{k,-22} managed allocation {v / frames.Count,8:F2} MiB/frame"
                : $"{k,-22} mean CPU {v / frames.Count,8:F2} ms/frame");
        }

        Console.WriteLine($"GC: gen0 {GC.CollectionCount(0)}, gen1 {GC.CollectionCount(1)}, gen2 {GC.CollectionCount(2)}, total pause {GC.GetTotalPauseDuration().TotalMilliseconds:F0} ms, allocated {GC.GetTotalAllocatedBytes() / 1048576.0:F0} MiB");

        return 0;
    }

    private static List<(string Name, byte[] Encoded, double PixelsPerMillimetre)> Generated(int count) =>
        [.. Enumerable.Range(0, count).Select(f =>
        {
            var spec = new SyntheticTrichoscopySpec { JpegQuality = 90, Overlays = f % 2 == 0 ? SyntheticOverlays.None : SyntheticOverlays.InfoBar | SyntheticOverlays.ScaleBar };
            var frame = SyntheticTrichoscopyGenerator.Generate(spec, seed: 1000 + f);
            return ($"generated-{f}", frame.EncodedImage, spec.PixelsPerMillimetre);
        })];

    private static IEnumerable<(string Name, byte[] Encoded, double PixelsPerMillimetre)> FromManifest(string path)
    {
        var manifest = DataManifest.Read(path);
        foreach (var row in manifest.Rows)
        {
            var ppm = manifest.Number(row, "pixels_per_mm")
                ?? throw new InvalidDataException($"{manifest.ImageName(row)}: speed-probe needs a pixels_per_mm value.");
            yield return (manifest.ImageName(row), File.ReadAllBytes(manifest.ImagePath(row)), ppm);
        }
    }

    /// <summary>CPU time of this thread (getrusage RUSAGE_THREAD): unlike wall time it does not
    /// count the time other processes hold the cores, so it is comparable on a loaded machine.</summary>
    private static double ThreadCpuMilliseconds()
    {
        var usage = new long[18];
        _ = GetRusage(1, usage);
        return ((usage[0] + usage[2]) * 1000.0) + ((usage[1] + usage[3]) / 1000.0);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "getrusage")]
    private static extern int GetRusage(int who, [System.Runtime.InteropServices.Out] long[] usage);

    private static string Hash(Mat m)
    {
        using var c = m.Clone();
        var bytes = new byte[c.Total() * c.ElemSize()];
        System.Runtime.InteropServices.Marshal.Copy(c.Data, bytes, 0, bytes.Length);
        return Convert.ToHexString(SHA256.HashData(bytes))[..12];
    }

    private static void Time(Dictionary<string, double> totals, string name, int repeat, Action a)
    {
        // Mean, not minimum: the kernel may account thread CPU time in scheduler ticks, which is
        // unbiased over many calls but not per call.
        a(); // warm-up: JIT and first-touch allocations are not the stage's cost
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var start = ThreadCpuMilliseconds();
        for (var i = 0; i < repeat; i++)
        {
            a();
        }

        totals[name] = totals.GetValueOrDefault(name) + ((ThreadCpuMilliseconds() - start) / repeat);
        totals[name + " MiB"] = totals.GetValueOrDefault(name + " MiB") + ((GC.GetAllocatedBytesForCurrentThread() - allocated) / 1048576.0 / repeat);
    }
}
