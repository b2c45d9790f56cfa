using System.Globalization;
using OpenCvSharp;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Segmentation;
using SmpVision.Pipeline.Synthetic;

namespace SmpVision.Tools.Commands;

/// <summary>
/// <c>shaft-profile</c>: the mean cross-section of a generated frame's terminal shafts, across the
/// shaft in steps of a tenth of its half-width: colour per channel, each channel's darkness against
/// the skin beside the shaft, the segmentation's relative darkness and the share of samples the
/// hair mask holds. Shows which part of a shaft the mask keeps (diagnostic for session 12).
/// </summary>
internal sealed class ShaftProfileCommand : IToolCommand
{
    public string Name => "shaft-profile";

    public string Usage => "shaft-profile --synthetic PRESET --seed S [--width W --height H --ppm P] [--option Stage.Name=value ...]";

    public int Run(IReadOnlyList<string> args)
    {
        string preset = "mixed";
        int seed = 1401;
        int? width = null, height = null;
        double? ppm = null;
        var options = new TrichoscopyOptions();
        for (var i = 0; i < args.Count - 1; i++)
        {
            switch (args[i])
            {
                case "--synthetic": preset = args[++i]; break;
                case "--seed": seed = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--width": width = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--height": height = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--ppm": ppm = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--option": EvalTrichoscopyCommand.ApplyOverride(options, args[++i]); break;
                default: break;
            }
        }

        var spec = SyntheticPresets.Create(preset, seed, width, height, ppm);
        var frame = SyntheticTrichoscopyGenerator.Generate(spec, seed);
        var truth = frame.Truth;
        using var bgr = Cv2.ImDecode(frame.EncodedImage, ImreadModes.Color);
        using var field = FieldMasker.Compute(bgr, options.FieldMask, CancellationToken.None);
        using var seg = HairSegmenter.Segment(bgr, field.AnalysableMask, truth.PixelsPerMillimetre, options.HairSegmentation, CancellationToken.None);
        Console.WriteLine(FormattableString.Invariant($"seed {seed}: {spec.HairColour}, skin L* {truth.SkinLab.L:F1} a* {truth.SkinLab.A:F1} b* {truth.SkinLab.B:F1}, read {seg.Polarity} dark {1000 * seg.DarkEvidence:F2} light {1000 * seg.LightEvidence:F2} chroma {1000 * seg.ChromaEvidence:F2} used {seg.ChromaUsed}, work scale {seg.WorkScale:F2}"));
        const int Bins = 33; // t = -1.6 .. 1.6
        var sum = new double[Bins, 6];
        var n = new int[Bins];
        var widthFractions = new List<double>();
        for (int h = 0; h < truth.Hairs.Count; h++)
        {
            var hair = truth.Hairs[h];
            var det = truth.HairDetails[h];
            if (det.Kind != SyntheticHairKind.Terminal || hair.LengthPixels < 40)
            {
                continue;
            }

            double dx = (hair.Tip.X - hair.Emergence.X) / hair.LengthPixels, dy = (hair.Tip.Y - hair.Emergence.Y) / hair.LengthPixels;
            double hw = hair.WidthPixels / 2;
            int inMask = 0, inTotal = 0;
            for (double f = 0.3; f <= 0.71; f += 0.05)
            {
                double cx = hair.Emergence.X + (f * hair.LengthPixels * dx), cy = hair.Emergence.Y + (f * hair.LengthPixels * dy);
                double[] skin = new double[3];
                int skinN = 0;
                foreach (double ts in new[] { -3.0, -2.6, 2.6, 3.0 })
                {
                    int sx = (int)Math.Round(cx - (dy * ts * hw)), sy = (int)Math.Round(cy + (dx * ts * hw));
                    if (sx < 0 || sy < 0 || sx >= bgr.Cols || sy >= bgr.Rows)
                    {
                        continue;
                    }

                    var p = bgr.At<Vec3b>(sy, sx);
                    skin[0] += p.Item0; skin[1] += p.Item1; skin[2] += p.Item2; skinN++;
                }

                if (skinN == 0)
                {
                    continue;
                }

                for (int b = 0; b < Bins; b++)
                {
                    double t = -1.6 + (0.1 * b);
                    double fx = cx - (dy * t * hw), fy = cy + (dx * t * hw);
                    int x = (int)Math.Round(fx), y = (int)Math.Round(fy);
                    if (x < 0 || y < 0 || x >= bgr.Cols || y >= bgr.Rows)
                    {
                        continue;
                    }

                    var p = bgr.At<Vec3b>(y, x);
                    int wx = Math.Min(seg.HairMask.Cols - 1, (int)(fx * seg.WorkScale)), wy = Math.Min(seg.HairMask.Rows - 1, (int)(fy * seg.WorkScale));
                    bool m = seg.HairMask.At<byte>(wy, wx) != 0;
                    sum[b, 0] += 1 - (p.Item0 / Math.Max(1, skin[0] / skinN));
                    sum[b, 1] += 1 - (p.Item1 / Math.Max(1, skin[1] / skinN));
                    sum[b, 2] += 1 - (p.Item2 / Math.Max(1, skin[2] / skinN));
                    sum[b, 3] += seg.RelativeDarkness.At<byte>(wy, wx) / 255.0;
                    sum[b, 4] += m ? 1 : 0;
                    sum[b, 5] += p.Item2;
                    n[b]++;
                    if (Math.Abs(t) <= 1.0)
                    {
                        inTotal++;
                        inMask += m ? 1 : 0;
                    }
                }
            }

            if (inTotal > 0)
            {
                widthFractions.Add((double)inMask / inTotal);
            }
        }

        Console.WriteLine("   t  darkB  darkG  darkR    rel  mask%   R");
        for (int b = 0; b < Bins; b++)
        {
            if (n[b] == 0)
            {
                continue;
            }

            Console.WriteLine(FormattableString.Invariant($"{-1.6 + (0.1 * b),5:F1} {sum[b, 0] / n[b],6:F3} {sum[b, 1] / n[b],6:F3} {sum[b, 2] / n[b],6:F3} {sum[b, 3] / n[b],6:F3} {100 * sum[b, 4] / n[b],6:F1} {sum[b, 5] / n[b],5:F0}"));
        }

        widthFractions.Sort();
        Console.WriteLine(FormattableString.Invariant($"terminal hairs {widthFractions.Count}: mask share of |t|<=1, median {(widthFractions.Count == 0 ? 0 : widthFractions[widthFractions.Count / 2]):F2}"));
        return 0;
    }
}
