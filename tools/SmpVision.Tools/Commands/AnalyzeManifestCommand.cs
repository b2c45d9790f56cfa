using System.Diagnostics;
using System.Globalization;
using SmpVision.Pipeline.Analysis;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.Model;

namespace SmpVision.Tools.Commands;

/// <summary>
/// Runs the full service pipeline (modality detection included) over every image of a manifest
/// and summarises what a clinic would see: refusals by reason, detected modalities, warnings,
/// and the share of analysed area per region class. A robustness check on real photos.
/// </summary>
internal sealed class AnalyzeManifestCommand : IToolCommand
{
    public string Name => "analyze-manifest";

    public string Usage => "--manifest CSV [--limit N] [--no-scale] [--previews DIR]";

    public int Run(IReadOnlyList<string> args)
    {
        string? manifest = null;
        var limit = int.MaxValue;
        var useScale = true;
        string? previews = null;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--manifest": manifest = args[++i]; break;
                case "--limit": limit = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--no-scale": useScale = false; break;
                case "--previews": previews = args[++i]; break;
                default:
                    Console.Error.WriteLine($"Unknown argument {args[i]}. Usage: {Name} {Usage}");
                    return 2;
            }
        }

        if (manifest is null)
        {
            Console.Error.WriteLine($"Usage: {Name} {Usage}");
            return 2;
        }

        var data = DataManifest.Read(manifest);
        var rows = data.Rows.Take(limit).ToList();

        var analyzer = new ScalpAnalyzer(new AnalyzerOptions());
        var refusals = new Dictionary<string, int>(StringComparer.Ordinal);
        var modalities = new Dictionary<Modality, int>();
        var warnings = new Dictionary<string, int>(StringComparer.Ordinal);
        var classArea = new Dictionary<RegionClass, double>();
        var imagesWithScarOrHairless = 0;
        var analysed = 0;
        var refused = new List<string>();
        var colours = new ColourSummary();
        var stopwatch = Stopwatch.StartNew();
        foreach (var (cells, index) in rows.Select((c, i) => (c, i)))
        {
            Console.Error.Write($"\r{index + 1}/{rows.Count}");
            var bytes = File.ReadAllBytes(data.ImagePath(cells));
            ScaleRequest? scale = useScale && data.Number(cells, "pixels_per_mm") is { } s
                ? new ScaleRequest(s, null, null, null)
                : null;
            try
            {
                var request = new AnalysisRequest { Scale = scale, Output = new OutputRequest(Preview: previews is not null) };
                var result = analyzer.Analyze(bytes, request, CancellationToken.None);
                if (previews is not null && result.PreviewPng is { } png)
                {
                    Directory.CreateDirectory(previews);
                    File.WriteAllBytes(Path.Combine(previews, Path.GetFileNameWithoutExtension(data.ImageName(cells)) + ".preview.png"), png);
                }

                analysed++;
                colours.Add(data.Cell(cells, "patient"), result);
                modalities[result.Modality] = modalities.GetValueOrDefault(result.Modality) + 1;
                foreach (var w in result.Warnings)
                {
                    warnings[w.Code] = warnings.GetValueOrDefault(w.Code) + 1;
                }

                var total = result.Regions.Sum(r => r.AreaFraction);
                foreach (var r in result.Regions)
                {
                    classArea[r.Class] = classArea.GetValueOrDefault(r.Class) + (total > 0 ? r.AreaFraction / total : 0);
                }

                if (result.Regions.Any(r => r.Class is RegionClass.Scar or RegionClass.Hairless && r.AreaFraction > 0.02))
                {
                    imagesWithScarOrHairless++;
                }
            }
            catch (InvalidImageException ex)
            {
                refusals[ex.Kind.ToString()] = refusals.GetValueOrDefault(ex.Kind.ToString()) + 1;
                refused.Add($"{data.ImageName(cells)}: {ex.Message}");
            }
        }

        Console.Error.WriteLine();
        Console.WriteLine($"{rows.Count} images, {analysed} analysed, {rows.Count - analysed} refused, {stopwatch.Elapsed.TotalSeconds / Math.Max(1, rows.Count):0.00} s per image");
        Console.WriteLine("refusals: " + (refusals.Count == 0 ? "none" : string.Join(", ", refusals.Select(kv => $"{kv.Key} {kv.Value}"))));
        refused.ForEach(r => Console.WriteLine("  refused " + r));
        Console.WriteLine("modality: " + string.Join(", ", modalities.Select(kv => $"{kv.Key} {kv.Value}")));
        Console.WriteLine("mean share of analysed scalp by class: " + string.Join(", ", classArea.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key} {kv.Value / Math.Max(1, analysed):P1}")));
        Console.WriteLine($"images with more than 2% scar or hairless: {imagesWithScarOrHairless}");
        Console.WriteLine("warnings: " + string.Join(", ", warnings.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {kv.Value}")));
        colours.Print();
        return 0;
    }
}
