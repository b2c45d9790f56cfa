using System.Globalization;
using OpenCvSharp;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.Model;
using SmpVision.Pipeline.Overhead;

namespace SmpVision.Tools.Commands;

/// <summary>
/// Runs <see cref="OverheadAnalysis"/> over a manifest (columns image, norwood_level[, view]) and
/// prints the bald fraction per image and Spearman's rho between bald fraction and Norwood level
/// (acceptance: rho >= 0.8 on overhead-dev). --overlays DIR writes one overlay per image plus a
/// montage; write them outside the repository (real photos must not be committed).
/// </summary>
internal sealed class EvalOverheadCommand : IToolCommand
{
    public string Name => "eval-overhead";

    public string Usage => "--manifest PATH [--overlays DIR] [--set OptionName=value ...]";

    public int Run(IReadOnlyList<string> args)
    {
        string? manifest = null, overlays = null;
        var options = new OverheadOptions();
        for (int i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--manifest" when i + 1 < args.Count: manifest = args[++i]; break;
                case "--overlays" when i + 1 < args.Count: overlays = args[++i]; break;
                case "--set" when i + 1 < args.Count: options = WithOption(options, args[++i]); break;
                default:
                    Console.Error.WriteLine($"Unexpected argument '{args[i]}'. Usage: {Usage}");
                    return 2;
            }
        }

        if (manifest is null)
        {
            Console.Error.WriteLine($"Usage: {Name} {Usage}");
            return 2;
        }

        if (overlays is not null)
        {
            Directory.CreateDirectory(overlays);
        }

        var data = DataManifest.Read(manifest);
        var levels = new List<double>();
        var bald = new List<double>();
        var baldPlusHalfThin = new List<double>();
        var noCoverage = new List<double>();
        var tiles = new List<Mat>();
        Console.WriteLine("image                 norwood  bald  thinning  hair  head/frame  zones(F/M/V bald)   skin L*a*b*    hair L*a*b*    warnings");
        try
        {
            foreach (var cells in data.Rows)
            {
                string file = data.ImagePath(cells);
                double level = data.Number(cells, "norwood_level") ?? double.NaN;
                using var image = ScalpImage.FromBgr(Cv2.ImRead(file, ImreadModes.Color));
                using var result = OverheadAnalysis.Run(image, options, CancellationToken.None);
                levels.Add(level);
                bald.Add(result.BaldFractionOfScalp);
                baldPlusHalfThin.Add(result.BaldFractionOfScalp + (0.5 * result.ThinningFraction));
                noCoverage.Add(1 - result.MeanHairCoverage);
                string zones = string.Join('/', result.Zones.OrderBy(z => z.Zone).Select(z => z.BaldFraction.ToString("F2", CultureInfo.InvariantCulture)));
                string warnings = string.Join(',', result.Warnings.Select(w => w.Code).Where(c => c is not ("uncalibrated-colour" or "front-assumed" or "no-scale")));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{Path.GetFileName(file),-22} {level,5:F0}  {result.BaldFractionOfScalp,5:F2}  {result.ThinningFraction,8:F2}  {result.HairBearingFraction,4:F2}  {result.HeadFractionOfFrame,10:F2}  {zones,-18}  {Lab(result.BareScalpColour),-13}  {Lab(result.HairColour),-13}  {warnings}"));
                if (overlays is not null)
                {
                    var tile = DrawOverlay(image, result, $"{Path.GetFileNameWithoutExtension(file)} N{level:F0} bald {result.BaldFractionOfScalp:F2} thin {result.ThinningFraction:F2}");
                    Cv2.ImWrite(Path.Combine(overlays, Path.GetFileNameWithoutExtension(file) + "_overlay.png"), tile);
                    tiles.Add(tile);
                }
            }

            if (overlays is not null && tiles.Count > 0)
            {
                WriteMontage(tiles, Path.Combine(overlays, "montage.png"));
            }
        }
        finally
        {
            foreach (var t in tiles)
            {
                t.Dispose();
            }
        }

        double rho = Spearman(levels, bald);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Spearman rho(bald fraction, Norwood) = {rho:F3} over {levels.Count} images (acceptance >= 0.8); rho(bald + thinning/2) = {Spearman(levels, baldPlusHalfThin):F3}; rho(1 - mean hair coverage) = {Spearman(levels, noCoverage):F3}"));
        return rho >= 0.8 ? 0 : 1;
    }

    private static string Lab(LabColour? c) => c is { } v ? string.Create(CultureInfo.InvariantCulture, $"{v.L:F0}/{v.A:F0}/{v.B:F0}") : "-";

    /// <summary>Returns a copy of the options with one numeric or enum property set from "Name=value" (for sweeps).</summary>
    private static OverheadOptions WithOption(OverheadOptions options, string assignment)
    {
        var parts = assignment.Split('=', 2);
        var property = typeof(OverheadOptions).GetProperty(parts[0])
            ?? throw new ArgumentException($"No option named '{parts[0]}'.");
        object value = property.PropertyType.IsEnum
            ? Enum.Parse(property.PropertyType, parts[1], ignoreCase: true)
            : Convert.ChangeType(parts[1], property.PropertyType, CultureInfo.InvariantCulture);
        var copy = options with { };
        property.SetValue(copy, value);
        return copy;
    }

    private static Mat DrawOverlay(ScalpImage image, OverheadResult result, string caption)
    {
        using var bgr = new Mat();
        double s = 480.0 / Math.Max(image.WidthPixels, image.HeightPixels);
        var size = new Size((int)(image.WidthPixels * s), (int)(image.HeightPixels * s));
        using var decoded = Cv2.ImDecode(image.EncodePng(), ImreadModes.Color);
        Cv2.Resize(decoded, bgr, size, 0, 0, InterpolationFlags.Area);
        using var labels = new Mat();
        Cv2.Resize(result.Labels, labels, size, 0, 0, InterpolationFlags.Nearest);
        using var colour = new Mat(size, MatType.CV_8UC3, Scalar.All(0));
        var palette = new Dictionary<RegionClass, Scalar>
        {
            [RegionClass.HairBearing] = new Scalar(0, 200, 0),
            [RegionClass.Thinning] = new Scalar(0, 220, 255),
            [RegionClass.Hairless] = new Scalar(60, 60, 255),
            [RegionClass.OffScalp] = new Scalar(80, 0, 0),
        };
        foreach (var (cls, c) in palette)
        {
            using var m = new Mat();
            Cv2.Compare(labels, Scalar.All((int)cls), m, CmpTypes.EQ);
            colour.SetTo(c, m);
        }

        using var blend = new Mat();
        Cv2.AddWeighted(bgr, 0.6, colour, 0.4, 0, blend);
        double f = s;
        foreach (var z in result.Zones)
        {
            var pts = z.Outline.Vertices.Select(p => new Point(p.X * f, p.Y * f)).ToArray();
            Cv2.Polylines(blend, [pts], true, Scalar.White, 1);
        }

        if (result.HairlineContour is { } hairline)
        {
            var pts = hairline.Vertices.Select(p => new Point(p.X * f, p.Y * f)).ToArray();
            Cv2.Polylines(blend, [pts], false, new Scalar(255, 255, 0), 2);
        }

        var tile = new Mat(new Size(size.Width * 2, size.Height), MatType.CV_8UC3);
        using (var left = new Mat(tile, new Rect(0, 0, size.Width, size.Height)))
        {
            bgr.CopyTo(left);
        }

        using (var right = new Mat(tile, new Rect(size.Width, 0, size.Width, size.Height)))
        {
            blend.CopyTo(right);
        }

        Cv2.PutText(tile, caption, new Point(6, 20), HersheyFonts.HersheySimplex, 0.55, Scalar.Black, 3);
        Cv2.PutText(tile, caption, new Point(6, 20), HersheyFonts.HersheySimplex, 0.55, Scalar.White, 1);
        return tile;
    }

    private static void WriteMontage(List<Mat> tiles, string path)
    {
        const int Columns = 3;
        int w = tiles.Max(t => t.Cols) / 2, h = tiles.Max(t => t.Rows) / 2;
        int rows = (tiles.Count + Columns - 1) / Columns;
        using var montage = new Mat(new Size(w * Columns, h * rows), MatType.CV_8UC3, Scalar.All(0));
        for (int i = 0; i < tiles.Count; i++)
        {
            using var small = new Mat();
            Cv2.Resize(tiles[i], small, new Size(w, h), 0, 0, InterpolationFlags.Area);
            using var roi = new Mat(montage, new Rect(i % Columns * w, i / Columns * h, w, h));
            small.CopyTo(roi);
        }

        Cv2.ImWrite(path, montage);
    }

    /// <summary>Spearman's rank correlation with average ranks for ties.</summary>
    internal static double Spearman(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        var ra = Ranks(a);
        var rb = Ranks(b);
        double ma = ra.Average(), mb = rb.Average(), sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < ra.Length; i++)
        {
            sab += (ra[i] - ma) * (rb[i] - mb);
            saa += (ra[i] - ma) * (ra[i] - ma);
            sbb += (rb[i] - mb) * (rb[i] - mb);
        }

        return saa == 0 || sbb == 0 ? 0 : sab / Math.Sqrt(saa * sbb);
    }

    private static double[] Ranks(IReadOnlyList<double> values)
    {
        var order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Count];
        for (int i = 0; i < order.Length;)
        {
            int j = i;
            while (j + 1 < order.Length && values[order[j + 1]] == values[order[i]])
            {
                j++;
            }

            for (int k = i; k <= j; k++)
            {
                ranks[order[k]] = (i + j) / 2.0 + 1;
            }

            i = j + 1;
        }

        return ranks;
    }
}
