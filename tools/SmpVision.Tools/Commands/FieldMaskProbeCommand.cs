using System.Globalization;
using OpenCvSharp;
using SmpVision.Pipeline.Analysis;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.Model;
using SmpVision.Pipeline.Segmentation;
using SmpVision.Pipeline.Synthetic;

namespace SmpVision.Tools.Commands;

/// <summary>
/// <c>field-mask-probe</c>: the field mask alone. On generated frames it measures overlay recall
/// (share of the truth's OffScalp pixels that are masked) and the share of truth scalp pixels
/// masked by mistake; on a manifest it prints each frame's masked fraction and pixel counts per
/// kind, so two builds can be compared line by line. FMP_DUMP=1 adds the flat boxes and a histogram
/// of the top off-scalp pixels on generated frames; FMP_DUMP=folder writes each real frame with its
/// masked pixels in magenta there.
/// </summary>
internal sealed class FieldMaskProbeCommand : IToolCommand
{
    public string Name => "field-mask-probe";

    public string Usage => "field-mask-probe (--synthetic PRESET --seed S --count N [--width W --height H --ppm P] | --manifest CSV [--limit N]): masked fraction per frame; overlay recall on generated frames";

    public int Run(IReadOnlyList<string> args)
    {
        string? preset = null, manifest = null;
        int seed = 801, count = 10, limit = int.MaxValue;
        int? width = null, height = null;
        double? ppm = null;
        for (var i = 0; i < args.Count - 1; i++)
        {
            switch (args[i])
            {
                case "--synthetic": preset = args[i + 1]; break;
                case "--manifest": manifest = args[i + 1]; break;
                case "--seed": seed = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--count": count = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--limit": limit = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--width": width = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--height": height = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--ppm": ppm = double.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
            }
        }

        var options = new AnalyzerOptions();
        var fm = options.Trichoscopy.FieldMask;
        if (manifest is not null)
        {
            var m = DataManifest.Read(manifest);
            double sum = 0;
            int n = 0, anyMasked = 0;
            foreach (var row in m.Rows.Take(limit))
            {
                using var image = ImageDecoder.Decode(File.ReadAllBytes(m.ImagePath(row)), options.Decoding);
                using var field = FieldMasker.Compute(image.Bgr, fm, CancellationToken.None);
                double total = (double)image.Bgr.Rows * image.Bgr.Cols;
                double masked = 1 - (field.Summary.AnalysablePixels / total);
                sum += masked;
                n++;
                anyMasked += masked > 0 ? 1 : 0;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{m.ImageName(row)} masked {masked:F4} {field.Summary} boxes {string.Join(";", field.FlatBoxes)}"));
                if (Environment.GetEnvironmentVariable("FMP_DUMP") is { } dir)
                {
                    using var shown = image.Bgr.Clone();
                    shown.SetTo(new Scalar(255, 0, 255), field.AnalysableMask.Equals(0));
                    Cv2.ImWrite(Path.Combine(dir, Path.GetFileNameWithoutExtension(m.ImageName(row)) + ".png"), shown);
                }
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{n} frames, mean masked fraction {sum / Math.Max(1, n):F4}, {anyMasked} with any mask"));
            return 0;
        }

        preset ??= "mixed";
        long offAll = 0, offMaskedAll = 0, onAll = 0, onMaskedAll = 0;
        for (var k = 0; k < count; k++)
        {
            var s = seed + k;
            var spec = SyntheticPresets.Create(preset, s, width, height, ppm);
            var frame = SyntheticTrichoscopyGenerator.Generate(spec, s);
            using var mat = Cv2.ImDecode(frame.EncodedImage, ImreadModes.Color);
            using var field = FieldMasker.Compute(mat, fm, CancellationToken.None);
            var labels = frame.Truth.RegionLabels;
            long off = 0, offMasked = 0, on = 0, onMasked = 0;
            int rows = mat.Rows, cols = mat.Cols;
            var mask = new byte[rows * cols];
            using (var contiguous = field.AnalysableMask.Clone())
            {
                System.Runtime.InteropServices.Marshal.Copy(contiguous.Data, mask, 0, mask.Length);
            }

            for (var y = 0; y < rows; y++)
            {
                for (var x = 0; x < cols; x++)
                {
                    var masked = mask[(y * cols) + x] == 0;
                    if (labels[(y * cols) + x] == (byte)RegionClass.OffScalp)
                    {
                        off++;
                        offMasked += masked ? 1 : 0;
                    }
                    else
                    {
                        on++;
                        onMasked += masked ? 1 : 0;
                    }
                }
            }

            if (Environment.GetEnvironmentVariable("FMP_DUMP") is not null)
            {
                var px = new byte[rows * cols * 3];
                System.Runtime.InteropServices.Marshal.Copy(mat.Data, px, 0, px.Length);
                var hm = new int[26];
                var hs = new int[26];
                for (var y = 0; y < 60; y++)
                {
                    for (var x = 0; x < cols; x++)
                    {
                        if (labels[(y * cols) + x] != (byte)RegionClass.OffScalp)
                        {
                            continue;
                        }

                        int b = px[3 * ((y * cols) + x)], g = px[(3 * ((y * cols) + x)) + 1], r = px[(3 * ((y * cols) + x)) + 2];
                        int mx = Math.Max(b, Math.Max(g, r)), mn = Math.Min(b, Math.Min(g, r));
                        hm[mx / 10]++;
                        hs[Math.Min(25, (mx - mn) / 2)]++;
                    }
                }

                Console.WriteLine("  top off-scalp maxC/10: " + string.Join(' ', hm));
                Console.WriteLine("  top off-scalp spread/2: " + string.Join(' ', hs));
            }

            offAll += off;
            offMaskedAll += offMasked;
            onAll += on;
            onMaskedAll += onMasked;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"seed {s}: overlays {spec.Overlays} jpeg {spec.JpegQuality?.ToString(CultureInfo.InvariantCulture) ?? "-"} noise {spec.NoiseSigma:F1}: truth off-scalp {off} px, recall {(off == 0 ? 1 : (double)offMasked / off):F3}, scalp masked {(double)onMasked / Math.Max(1, on):F4} | {field.Summary}"));
            if (Environment.GetEnvironmentVariable("FMP_DUMP") is not null)
            {
                Console.WriteLine("  boxes " + string.Join(" ", field.FlatBoxes.Select(b => $"{b.X},{b.Y},{b.Width}x{b.Height}")));
            }

        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"preset {preset} seeds {seed}..{seed + count - 1}: overlay recall {(double)offMaskedAll / Math.Max(1, offAll):F3}, scalp masked {(double)onMaskedAll / Math.Max(1, onAll):F4}"));
        return 0;
    }
}
