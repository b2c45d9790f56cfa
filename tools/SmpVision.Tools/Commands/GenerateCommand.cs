using System.Globalization;
using System.Text;
using SmpVision.Pipeline.Model;
using SmpVision.Pipeline.Synthetic;

namespace SmpVision.Tools.Commands;

/// <summary>
/// Writes a synthetic trichoscopy set: images, manifest.csv (the real dev manifest's columns
/// image, hairs, pixels_per_mm, patient, field plus follicular_units and more, so evaluation
/// commands read both), hairs.csv with exact per-hair truth, and labels/ with the region label
/// map of each frame as a PNG (RegionClass values, hair shafts 255).
/// <c>hairs</c> is every hair with at least 0.1 mm of shaft visible on analysable pixels, as a hand
/// count of the frame counts (annotators skip slivers at the edge); <c>hairs_visible_any</c> counts
/// every hair with any visible part;
/// <c>hairs_counted</c> and <c>follicular_units</c> follow the truth's emergence rule (for densities);
/// <c>hairs_edge_rule</c> and <c>follicular_units_edge_rule</c> the product's documented edge rule
/// (<see cref="SyntheticEdgeRule"/>), to compare with the analysis's edge-rule counts.
/// </summary>
public sealed class GenerateCommand : IToolCommand
{
    /// <summary>Shortest visible shaft a hand count includes in the manifest's hairs column.</summary>
    private const double MinimumHandCountedMillimetres = 0.1;

    public string Name => "generate";

    public string Usage => "--out DIR [--count N=20] [--seed S=1] [--preset mixed|clean|regions|dev] [--width W --height H --ppm P]";

    public int Run(IReadOnlyList<string> args)
    {
        string? outDir = null;
        int count = 20, seed = 1;
        var preset = "mixed";
        int? width = null, height = null;
        double? ppm = null;
        try
        {
            ParseArguments(args, ref outDir, ref count, ref seed, ref preset, ref width, ref height, ref ppm);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            Console.Error.WriteLine($"{e.Message} Usage: generate {Usage}");
            return 2;
        }

        if (outDir is null || count < 1 || !SyntheticPresets.Names.Contains(preset))
        {
            Console.Error.WriteLine($"Usage: generate {Usage}");
            return 2;
        }

        return Write(outDir, count, seed, preset, width, height, ppm);
    }

    private static void ParseArguments(
        IReadOnlyList<string> args, ref string? outDir, ref int count, ref int seed, ref string preset, ref int? width, ref int? height, ref double? ppm)
    {
        for (var i = 0; i < args.Count; i++)
        {
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--out": outDir = Next(); break;
                case "--count": count = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--seed": seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--preset": preset = Next(); break;
                case "--width": width = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--height": height = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--ppm": ppm = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                default:
                    throw new ArgumentException($"Unknown argument '{args[i]}'.");
            }
        }
    }

    private static int Write(string outDir, int count, int seed, string preset, int? width, int? height, double? ppm)
    {
        var images = Path.Combine(outDir, "images");
        var labels = Path.Combine(outDir, "labels");
        Directory.CreateDirectory(images);
        Directory.CreateDirectory(labels);
        var manifest = new StringBuilder("image,hairs,pixels_per_mm,follicular_units,patient,field,hairs_counted,hairs_visible_any,skin_ita_deg,hair_colour,fu_per_cm2,hairs_per_cm2,overlays,regions,jpeg_quality,hairs_edge_rule,follicular_units_edge_rule\n");
        var hairsCsv = new StringBuilder("image,hair_id,fu_id,emergence_x,emergence_y,tip_x,tip_y,length_px,width_px,width_um,kind,counted,cut_by_edge,region,visible_length_px\n");
        for (var k = 0; k < count; k++)
        {
            var frameSeed = unchecked(seed * 1_000_003 + k);
            var spec = SyntheticPresets.Create(preset, frameSeed, width, height, ppm);
            var frame = SyntheticTrichoscopyGenerator.Generate(spec, frameSeed);
            var t = frame.Truth;
            var handCount = t.HairDetails.Count(d => d.VisibleLengthPixels >= MinimumHandCountedMillimetres * t.PixelsPerMillimetre);
            var name = $"syn_{preset}_{seed}_{k:0000}";
            var relative = $"images/{name}{frame.FileExtension}";
            File.WriteAllBytes(Path.Combine(outDir, relative), frame.EncodedImage);
            File.WriteAllBytes(Path.Combine(labels, name + ".png"), SyntheticLabelImage.Encode(t));
            manifest.Append(CultureInfo.InvariantCulture,
                $"{relative},{handCount},{t.PixelsPerMillimetre},{t.AnalysableFollicularUnitCount},syn{seed},{k},{t.AnalysableHairCount},{t.HairCount},{t.SkinItaDegrees:F1},{spec.HairColour},{t.FollicularUnitsPerSquareCentimetre:F1},{t.HairsPerSquareCentimetre:F1},{spec.Overlays.ToString().Replace(", ", "|", StringComparison.Ordinal)},{spec.Regions.Count},{spec.JpegQuality?.ToString(CultureInfo.InvariantCulture) ?? "png"},{SyntheticEdgeRule.HairCount(t)},{SyntheticEdgeRule.FollicularUnitCount(t)}\n");
            for (var i = 0; i < t.Hairs.Count; i++)
            {
                var h = t.Hairs[i];
                var d = t.HairDetails[i];
                hairsCsv.Append(CultureInfo.InvariantCulture,
                    $"{relative},{h.Id},{h.FollicularUnitId},{h.Emergence.X:F2},{h.Emergence.Y:F2},{h.Tip.X:F2},{h.Tip.Y:F2},{h.LengthPixels:F2},{h.WidthPixels:F2},{d.WidthMicrometres:F1},{d.Kind},{(d.Counted ? 1 : 0)},{(h.CutByFrameEdge ? 1 : 0)},{d.Region},{d.VisibleLengthPixels:F1}\n");
            }

            Console.WriteLine($"{relative}: {t.AnalysableHairCount} hairs, {t.AnalysableFollicularUnitCount} FU, ITA {t.SkinItaDegrees:F0}, {spec.HairColour}");
        }

        File.WriteAllText(Path.Combine(outDir, "manifest.csv"), manifest.ToString());
        File.WriteAllText(Path.Combine(outDir, "hairs.csv"), hairsCsv.ToString());
        Console.WriteLine($"Wrote {count} frames to {outDir}");
        return 0;
    }
}
