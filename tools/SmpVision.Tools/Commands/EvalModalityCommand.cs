using System.Globalization;
using OpenCvSharp;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.ModalityDetection;
using SmpVision.Pipeline.Model;

namespace SmpVision.Tools.Commands;

/// <summary>
/// Runs <see cref="ModalityDetector"/> over one or more manifests and prints the accuracy per
/// manifest. The expected modality of a manifest comes from its columns: a manifest with a
/// "norwood_level" or "view" column lists overhead photos, one with "hairs" or "pixels_per_mm"
/// lists trichoscopy frames; "--expect trichoscopy|overhead" after a manifest overrides it.
/// </summary>
internal sealed class EvalModalityCommand : IToolCommand
{
    public string Name => "eval-modality";

    public string Usage => "--manifest PATH [--expect trichoscopy|overhead] [--manifest PATH2 ...] [--verbose]";

    public int Run(IReadOnlyList<string> args)
    {
        var manifests = new List<(string Path, Modality? Expected)>();
        bool verbose = false;
        for (int i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--manifest" when i + 1 < args.Count:
                    manifests.Add((args[++i], null));
                    break;
                case "--expect" when i + 1 < args.Count && manifests.Count > 0:
                    manifests[^1] = (manifests[^1].Path, Enum.Parse<Modality>(args[++i], ignoreCase: true));
                    break;
                case "--verbose":
                    verbose = true;
                    break;
                default:
                    Console.Error.WriteLine($"Unexpected argument '{args[i]}'. Usage: {Usage}");
                    return 2;
            }
        }

        if (manifests.Count == 0)
        {
            Console.Error.WriteLine($"Usage: {Name} {Usage}");
            return 2;
        }

        var options = new ModalityOptions();
        bool allCorrect = true;
        foreach (var (path, expectedOverride) in manifests)
        {
            var data = DataManifest.Read(path);
            var header = data.Header;
            var expected = expectedOverride
                ?? (header.Contains("norwood_level") || header.Contains("view") ? Modality.Overhead
                    : header.Contains("hairs") || header.Contains("pixels_per_mm") ? Modality.Trichoscopy
                    : throw new InvalidOperationException($"Cannot tell the expected modality of {path}; pass --expect."));
            int correct = 0, total = 0;
            double worstMargin = double.MaxValue;
            string worst = "";
            foreach (var row in data.Rows)
            {
                string file = data.ImagePath(row);
                using var image = ScalpImage.FromBgr(Cv2.ImRead(file, ImreadModes.Color));
                var decision = ModalityDetector.Detect(image, options);
                total++;
                bool ok = decision.Modality == expected;
                correct += ok ? 1 : 0;
                double margin = (decision.Score - options.DecisionThreshold) * (expected == Modality.Overhead ? 1 : -1);
                if (margin < worstMargin)
                {
                    worstMargin = margin;
                    worst = Path.GetFileName(file);
                }

                if (verbose || !ok)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{(ok ? "ok  " : "MISS")} {Path.GetFileName(file)} -> {decision.Modality} conf={decision.Confidence:F3} score={decision.Score:F2} ")
                        + string.Join(' ', decision.Cues.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Name}={c.Value:F3}({c.ScoreUnits:+0.00;-0.00})"))));
                }
            }

            allCorrect &= correct == total;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{path}: expected {expected}, accuracy {correct}/{total} = {100.0 * correct / Math.Max(1, total):F1}%, smallest margin {worstMargin:F2} score units ({worst})"));
        }

        return allCorrect ? 0 : 1;
    }
}
