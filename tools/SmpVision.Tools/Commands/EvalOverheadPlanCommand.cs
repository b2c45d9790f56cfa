using System.Globalization;
using OpenCvSharp;
using SmpVision.Pipeline.Analysis;
using SmpVision.Pipeline.Model;

namespace SmpVision.Tools.Commands;

/// <summary>
/// Runs the whole analysis (boundary, orientation, classification, plan, preview) on every
/// overhead photo of a manifest with a given px/mm and reports, per photo: bald fraction, view and
/// face side (detected or not, confidence), face share of the frame, zone bald fractions, the
/// pigment rule's skin L* against the median L* of the photo's bald region (read back from the
/// label map: target within 5 L*), the dot count, and Spearman rho of bald fraction vs Norwood.
/// --previews DIR writes each preview PNG (outside the repository: real photos).
/// </summary>
internal sealed class EvalOverheadPlanCommand : IToolCommand
{
    public string Name => "eval-overhead-plan";

    public string Usage => "--manifest PATH [--pixels-per-mm 2.5] [--previews DIR]";

    public int Run(IReadOnlyList<string> args)
    {
        string? manifest = null, previews = null;
        double ppm = 2.5;
        for (int i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--manifest" when i + 1 < args.Count: manifest = args[++i]; break;
                case "--previews" when i + 1 < args.Count: previews = args[++i]; break;
                case "--pixels-per-mm" when i + 1 < args.Count: ppm = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default:
                    Console.Error.WriteLine($"Unexpected argument '{args[i]}'. Usage: {Name} {Usage}");
                    return 2;
            }
        }

        if (manifest is null)
        {
            Console.Error.WriteLine($"Usage: {Name} {Usage}");
            return 2;
        }

        if (previews is not null)
        {
            Directory.CreateDirectory(previews);
        }

        var data = DataManifest.Read(manifest);
        var analyzer = new ScalpAnalyzer(new AnalyzerOptions());
        var levels = new List<double>();
        var bald = new List<double>();
        int pigmentWithin = 0, photos = 0;
        Console.WriteLine("image                 norwood  bald   view     face(det,conf)     face/frame  zones F/M/V bald   pigment L*  bald-region L*  |d|   dots");
        foreach (var cells in data.Rows)
        {
            var file = data.ImagePath(cells);
            double level = data.Number(cells, "norwood_level") ?? double.NaN;
            var request = new AnalysisRequest
            {
                Modality = Modality.Overhead,
                Scale = new ScaleRequest(ppm, null, null, null),
                Output = new OutputRequest(LabelMap: true, DotLayout: true, Preview: previews is not null),
            };
            var result = analyzer.Analyze(File.ReadAllBytes(file), request, CancellationToken.None);
            var o = result.Overhead!;
            double? regionL = BaldRegionMedianLightness(File.ReadAllBytes(file), result.LabelMapPng!);
            double? pigmentL = result.Plan!.Pigment.SkinColour?.L;
            double? diff = pigmentL is { } p && regionL is { } r ? Math.Abs(p - r) : null;
            photos++;
            pigmentWithin += diff is null or <= 5 ? 1 : 0;
            levels.Add(level);
            bald.Add(o.BaldFractionOfScalp);
            string zones = string.Join('/', o.Zones.OrderBy(z => z.Zone == ScalpZone.Frontal ? 0 : z.Zone == ScalpZone.MidScalp ? 1 : 2).Select(z => z.BaldFraction.ToString("F2", CultureInfo.InvariantCulture)));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{Path.GetFileName(file),-22} {level,5:F0}  {o.BaldFractionOfScalp,5:F2}  {o.View,-8} {o.Front + (o.FrontDetected ? ",det," : ",set,") + o.OrientationConfidence.ToString("F2", CultureInfo.InvariantCulture),-18} {o.FaceFractionOfFrame,10:F3}  {zones,-17} {Fmt(pigmentL),10}  {Fmt(regionL),14}  {Fmt(diff),4}  {result.Plan.Dots.Count,5}"));
            if (previews is not null && result.PreviewPng is { } png)
            {
                File.WriteAllBytes(Path.Combine(previews, Path.GetFileNameWithoutExtension(file) + "_preview.png"), png);
            }
        }

        double rho = EvalOverheadCommand.Spearman(levels, bald);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Spearman rho(bald fraction, Norwood) = {rho:F3} over {levels.Count} photos (target >= 0.9); pigment skin L* within 5 of the bald-region median on {pigmentWithin}/{photos} (target all)"));
        return 0;
    }

    private static string Fmt(double? v) => v is { } x ? x.ToString("F1", CultureInfo.InvariantCulture) : "-";

    /// <summary>Median L* (CIELAB, D65) of the photo's pixels the label map calls hairless; null when none.</summary>
    internal static double? BaldRegionMedianLightness(byte[] photo, byte[] labelPng)
    {
        using var bgr = Cv2.ImDecode(photo, ImreadModes.Color);
        using var labels = Cv2.ImDecode(labelPng, ImreadModes.Unchanged);
        using var bgrF = new Mat();
        using var lab = new Mat();
        bgr.ConvertTo(bgrF, MatType.CV_32FC3, 1.0 / 255.0);
        Cv2.CvtColor(bgrF, lab, ColorConversionCodes.BGR2Lab);
        var values = new List<float>();
        int rows = labels.Rows, cols = labels.Cols;
        for (int y = 0; y < rows; y++)
        {
            for (int x = 0; x < cols; x++)
            {
                if (labels.At<byte>(y, x) == (byte)RegionClass.Hairless)
                {
                    values.Add(lab.At<Vec3f>(y, x).Item0);
                }
            }
        }

        if (values.Count == 0)
        {
            return null;
        }

        values.Sort();
        return values[values.Count / 2];
    }
}
