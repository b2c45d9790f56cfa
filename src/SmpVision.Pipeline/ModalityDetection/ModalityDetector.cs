using OpenCvSharp;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.ModalityDetection;

/// <summary>
/// Tells a dermoscope close-up (trichoscopy) from a whole-head photo (overhead) from global,
/// size-independent cues on a thumbnail: a dermoscope frame is one evenly lit field of shaved
/// scalp (docs/DOMAIN-SOURCES.md, Imaging modalities), so its colour is homogeneous (low block-colour spread,
/// centre like border) and bright (few dark pixels, high low-percentile L*); an overhead photo
/// holds a head on a background with hair masses and shadows. Frame size, aspect and file names
/// are deliberately not used.
/// </summary>
internal static class ModalityDetector
{
    /// <summary>Detects the modality of <paramref name="image"/>.</summary>
    internal static ModalityDecision Detect(ScalpImage image, ModalityOptions options)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid modality options: " + string.Join(" ", errors), nameof(options));
        }

        var bgr = image.Bgr;
        double scale = Math.Min(1.0, options.AnalysisLongSidePixels / (double)Math.Max(bgr.Cols, bgr.Rows));
        using var small = new Mat();
        Cv2.Resize(bgr, small, new Size(Math.Max(1, (int)Math.Round(bgr.Cols * scale)), Math.Max(1, (int)Math.Round(bgr.Rows * scale))), 0, 0, InterpolationFlags.Area);
        using var lab = new Mat();
        Cv2.CvtColor(small, lab, ColorConversionCodes.BGR2Lab);

        var stats = MeasureLab(lab, options.DarkLightness);
        double clip = options.CueClipUnits;
        double Unit(double value, double centre, double perUnit) => Math.Clamp((value - centre) / perUnit, -clip, clip);

        var cues = new List<ModalityCue>
        {
            new("block-colour-spread", stats.BlockSpread, Unit(stats.BlockSpread, options.BlockSpreadCentre, options.BlockSpreadPerUnit)),
            new("centre-border-delta-e", stats.CentreBorderDelta, Unit(stats.CentreBorderDelta, options.CentreBorderDeltaCentre, options.CentreBorderDeltaPerUnit)),
            new("dark-fraction", stats.DarkFraction, Unit(stats.DarkFraction, options.DarkFractionCentre, options.DarkFractionPerUnit)),
            new("lightness-p10", stats.LightnessP10, -Unit(stats.LightnessP10, options.Lightness10thPercentileCentre, options.Lightness10thPercentilePerUnit)),
            new("lightness-median", stats.LightnessMedian, -Unit(stats.LightnessMedian, options.MedianLightnessCentre, options.MedianLightnessPerUnit)),
        };

        double score = cues.Sum(c => c.ScoreUnits);
        double margin = score - options.DecisionThreshold;
        var modality = margin > 0 ? Model.Modality.Overhead : Model.Modality.Trichoscopy;
        double confidence = 1.0 / (1.0 + Math.Exp(-Math.Abs(margin) * 2.0));
        return new ModalityDecision(modality, confidence, score, cues);
    }

    private readonly record struct LabStats(double BlockSpread, double CentreBorderDelta, double DarkFraction, double LightnessP10, double LightnessMedian);

    private static LabStats MeasureLab(Mat lab, double darkLightness)
    {
        int w = lab.Cols, h = lab.Rows;
        var lightnessHistogram = new int[256];
        const int Blocks = 4;
        var blockSum = new double[Blocks * Blocks, 3];
        var blockCount = new int[Blocks * Blocks];
        double[] centre = new double[3], border = new double[3];
        int centreCount = 0, borderCount = 0, dark = 0;
        var rows = lab.AsRows<Vec3b>();
        for (int y = 0; y < h; y++)
        {
            double dy = (y + 0.5 - (h / 2.0)) / (h / 2.0);
            int by = Math.Min(Blocks - 1, y * Blocks / h);
            var row = rows[y];
            for (int x = 0; x < w; x++)
            {
                var v = row[x];
                double l = v.Item0 * (100.0 / 255.0), a = v.Item1 - 128.0, b = v.Item2 - 128.0;
                lightnessHistogram[v.Item0]++;
                if (l < darkLightness)
                {
                    dark++;
                }

                int block = (by * Blocks) + Math.Min(Blocks - 1, x * Blocks / w);
                blockSum[block, 0] += l;
                blockSum[block, 1] += a;
                blockSum[block, 2] += b;
                blockCount[block]++;

                // Centre disc (radius 0.4 of the half-size) versus the outer band of the frame.
                double dx = (x + 0.5 - (w / 2.0)) / (w / 2.0);
                if ((dx * dx) + (dy * dy) < 0.16)
                {
                    centre[0] += l; centre[1] += a; centre[2] += b; centreCount++;
                }
                else if (Math.Max(Math.Abs(dx), Math.Abs(dy)) > 0.85)
                {
                    border[0] += l; border[1] += a; border[2] += b; borderCount++;
                }
            }
        }

        var means = new double[Blocks * Blocks, 3];
        var grand = new double[3];
        int used = 0;
        for (int i = 0; i < Blocks * Blocks; i++)
        {
            if (blockCount[i] == 0)
            {
                continue;
            }

            used++;
            for (int k = 0; k < 3; k++)
            {
                means[i, k] = blockSum[i, k] / blockCount[i];
                grand[k] += means[i, k];
            }
        }

        double spread = 0;
        if (used > 0)
        {
            for (int k = 0; k < 3; k++)
            {
                grand[k] /= used;
            }

            for (int i = 0; i < Blocks * Blocks; i++)
            {
                if (blockCount[i] > 0)
                {
                    spread += Distance(means, i, grand) / used;
                }
            }
        }

        double centreBorder = 0;
        if (centreCount > 0 && borderCount > 0)
        {
            double s = 0;
            for (int k = 0; k < 3; k++)
            {
                double d = (centre[k] / centreCount) - (border[k] / borderCount);
                s += d * d;
            }

            centreBorder = Math.Sqrt(s);
        }

        int total = w * h;
        return new LabStats(spread, centreBorder, dark / (double)total,
            Percentile(lightnessHistogram, total, 0.10), Percentile(lightnessHistogram, total, 0.50));
    }

    private static double Distance(double[,] means, int i, double[] grand)
    {
        double s = 0;
        for (int k = 0; k < 3; k++)
        {
            double d = means[i, k] - grand[k];
            s += d * d;
        }

        return Math.Sqrt(s);
    }

    private static double Percentile(int[] histogram, int total, double q)
    {
        long target = (long)Math.Ceiling(q * total);
        long cumulative = 0;
        for (int i = 0; i < histogram.Length; i++)
        {
            cumulative += histogram[i];
            if (cumulative >= target)
            {
                return i * (100.0 / 255.0);
            }
        }

        return 100;
    }
}
