using System.Security.Cryptography;
using System.Text;
using OpenCvSharp;
using SmpVision.Pipeline.Analysis;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Measurement.Colour;
using SmpVision.Pipeline.Regions;
using SmpVision.Pipeline.Segmentation;
using SmpVision.Pipeline.Synthetic;

namespace SmpVision.Tools.Commands;

/// <summary>
/// Per-stage timing (thread CPU time, which is stable on a loaded machine) of the stages
/// after hair segmentation, and a fingerprint of their outputs so that a speed-up can be shown
/// not to change results.
/// </summary>
internal sealed class SpeedProbeCommand : IToolCommand
{
    public string Name => "speed-probe";

    public string Usage => "speed-probe [--generate N] [--repeat R]: minimum time per stage and an output fingerprint per frame";

    public int Run(IReadOnlyList<string> args)
    {
        var generate = 3;
        var repeat = 5;
        for (var i = 0; i < args.Count - 1; i++)
        {
            if (args[i] == "--generate") generate = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture);
            if (args[i] == "--repeat") repeat = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture);
        }

        ScalpAnalyzer.ConfigureNativeThreads(1);
        var options = new AnalyzerOptions();
        var totals = new Dictionary<string, double>();
        for (var f = 0; f < generate; f++)
        {
            var spec = new SyntheticTrichoscopySpec { JpegQuality = 90, Overlays = f % 2 == 0 ? SyntheticOverlays.None : SyntheticOverlays.InfoBar | SyntheticOverlays.ScaleBar };
            var frame = SyntheticTrichoscopyGenerator.Generate(spec, seed: 1000 + f);
            var image = ImageDecoder.Decode(frame.EncodedImage, options.Decoding);
            var scale = new Scale(spec.PixelsPerMillimetre, ScaleSource.Request, 0.0, "probe");
            var fp = new StringBuilder();
            Time(totals, "decode", repeat, () => { using var m = Cv2.ImDecode(frame.EncodedImage, ImreadModes.Color); });
            Time(totals, "plausibility", repeat, () => fp.Append(ScalpPlausibility.Check(image, options.Plausibility)));
            Time(totals, "field-mask", repeat, () =>
            {
                using var fm = FieldMasker.Compute(image.Bgr, options.Trichoscopy.FieldMask, CancellationToken.None);
                fp.Append(fm.Summary).Append(Hash(fm.AnalysableMask));
            });
            using var field = FieldMasker.Compute(image.Bgr, options.Trichoscopy.FieldMask, CancellationToken.None);
            using var seg = HairSegmenter.Segment(image.Bgr, field.AnalysableMask, scale.PixelsPerMillimetre, options.Trichoscopy.HairSegmentation, CancellationToken.None);
            using var work = new Mat();
            Cv2.Resize(image.Bgr, work, new Size(seg.HairMask.Cols, seg.HairMask.Rows), 0, 0, InterpolationFlags.Area);
            Time(totals, "colour", repeat, () => fp.Append(ColourMeasurement.Measure(work, seg, options.Trichoscopy.Colour)));
            using var t = TrichoscopyAnalysis.Run(image, scale, options.Trichoscopy, CancellationToken.None);
            Time(totals, "regions", repeat, () =>
            {
                using var map = RegionSegmentation.Run(image, t.AnalysableMask, t.HairMask, t.Hairs, t.FollicularUnits, t.Scale, options.Regions, CancellationToken.None);
                fp.Append(Hash(map.Labels)).Append(Hash(map.RegionIds)).Append(map.SkinColour).Append(map.HairColour).Append(map.ReferenceFolliclesPerSquarePixel);
                foreach (var r in map.Regions)
                {
                    fp.Append(r.Class).Append(r.ScarKind).Append(r.AreaPixels).Append(r.MeanSkinColour).Append(r.HairCoverageFraction).Append(r.HairCount).Append(r.FollicularUnitCount).Append(r.DensityRelativeToReference).Append('|');
                    foreach (var poly in r.Polygons)
                    {
                        fp.Append(string.Join(";", poly.Outer.Vertices.Select(q => $"{q.X},{q.Y}"))).Append(poly.Holes.Count);
                    }
                }
            });
            Console.WriteLine($"frame {f}: fingerprint {Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(fp.ToString())))[..16]}");
            var path = Environment.GetEnvironmentVariable("SPEED_PROBE_DUMP");
            if (path is not null)
            {
                File.WriteAllText($"{path}-{f}.txt", fp.ToString());
            }
        }

        foreach (var (k, v) in totals)
        {
            Console.WriteLine($"{k,-14} mean CPU {v / generate,8:F2} ms/frame");
        }

        return 0;
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
        var start = ThreadCpuMilliseconds();
        for (var i = 0; i < repeat; i++)
        {
            a();
        }

        totals[name] = totals.GetValueOrDefault(name) + ((ThreadCpuMilliseconds() - start) / repeat);
    }
}
