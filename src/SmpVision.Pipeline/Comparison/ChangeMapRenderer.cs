using OpenCvSharp;

namespace SmpVision.Pipeline.Comparison;

/// <summary>
/// Draws the change map on the before photo's geometry: gained, lost and unchanged hair over a
/// dimmed grey copy of the before photo, the area outside the common area darkened, and a legend.
/// </summary>
internal static class ChangeMapRenderer
{
    // BGR colours; the legend reports them as #RRGGBB. Green/magenta/yellow stay apart for red-green colour blindness better than green/red.
    private static readonly Scalar Gained = new(60, 200, 0);
    private static readonly Scalar Lost = new(200, 0, 220);
    private static readonly Scalar Unchanged = new(0, 215, 255);
    private static readonly Scalar Outside = new(60, 60, 60);

    /// <summary>The legend, in drawing order.</summary>
    public static IReadOnlyList<ChangeMapLegendEntry> Legend { get; } =
    [
        new("gained", Hex(Gained), "Hair present after, not before; a ring marks a new hair's emergence."),
        new("lost", Hex(Lost), "Hair present before, not after; a ring marks a vanished hair's emergence."),
        new("unchanged", Hex(Unchanged), "Hair present on both visits (within the alignment tolerance)."),
        new("outside", Hex(Outside), "Not analysable on both photos: not compared."),
    ];

    /// <summary>
    /// Renders the map. All masks are 8UC1 on the before geometry: common area, before hair, after
    /// hair warped onto before.
    /// </summary>
    /// <param name="beforeBgr">The before photo.</param>
    /// <param name="common">Common analysed area.</param>
    /// <param name="beforeHair">Before hair mask.</param>
    /// <param name="afterHairWarped">After hair mask warped onto the before photo.</param>
    /// <param name="tolerancePixels">Pixel tolerance between the two hair masks.</param>
    /// <param name="lostHairs">Emergence points of before hairs with no after match: ringed in the "lost" colour.</param>
    /// <param name="gainedHairs">Emergence points (before geometry) of after hairs with no before match: ringed in the "gained" colour.</param>
    /// <param name="ringRadiusPixels">Hair-matching tolerance, pixels; rings are drawn at 0.6 of it (at least 8 px).</param>
    public static byte[] Render(Mat beforeBgr, Mat common, Mat beforeHair, Mat afterHairWarped, int tolerancePixels,
        IReadOnlyList<(double X, double Y)> lostHairs, IReadOnlyList<(double X, double Y)> gainedHairs, double ringRadiusPixels)
    {
        using var grey = new Mat();
        Cv2.CvtColor(beforeBgr, grey, ColorConversionCodes.BGR2GRAY);
        using var dim = new Mat();
        // Dim the photo so that the change colours stand out.
        grey.ConvertTo(dim, MatType.CV_8UC1, 0.6, 40);
        using var canvas = new Mat();
        Cv2.CvtColor(dim, canvas, ColorConversionCodes.GRAY2BGR);

        using var b = new Mat();
        using var a = new Mat();
        Cv2.BitwiseAnd(beforeHair, common, b);
        Cv2.BitwiseAnd(afterHairWarped, common, a);
        using var bNear = new Mat();
        using var aNear = new Mat();
        if (tolerancePixels > 0)
        {
            using var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(2 * tolerancePixels + 1, 2 * tolerancePixels + 1));
            Cv2.Dilate(b, bNear, kernel);
            Cv2.Dilate(a, aNear, kernel);
        }
        else
        {
            b.CopyTo(bNear);
            a.CopyTo(aNear);
        }

        using var gained = new Mat();
        using var lost = new Mat();
        using var any = new Mat();
        using var notNearB = new Mat();
        using var notNearA = new Mat();
        Cv2.BitwiseNot(bNear, notNearB);
        Cv2.BitwiseNot(aNear, notNearA);
        Cv2.BitwiseAnd(a, notNearB, gained);
        Cv2.BitwiseAnd(b, notNearA, lost);
        Cv2.BitwiseOr(a, b, any);

        using var outside = new Mat();
        Cv2.BitwiseNot(common, outside);
        using var darkened = new Mat();
        canvas.ConvertTo(darkened, MatType.CV_8UC3, 0.35, 0);
        darkened.CopyTo(canvas, outside);

        canvas.SetTo(Unchanged, any);
        canvas.SetTo(Gained, gained);
        canvas.SetTo(Lost, lost);

        // Outline the common area so its edge reads even where the photo is dark.
        Cv2.FindContours(common, out var contours, out _, RetrievalModes.External, ContourApproximationModes.ApproxSimple);
        var thickness = Math.Max(1, canvas.Cols / 600);
        Cv2.DrawContours(canvas, contours, -1, Scalar.White, thickness);

        // Rings mark whole hairs that appeared or vanished, which pixel colours alone hide where shafts cross.
        var radius = (int)Math.Max(8, Math.Round(0.6 * ringRadiusPixels));
        foreach (var (x, y) in lostHairs)
        {
            Cv2.Circle(canvas, new Point((int)Math.Round(x), (int)Math.Round(y)), radius, Lost, thickness + 1, LineTypes.AntiAlias);
        }

        foreach (var (x, y) in gainedHairs)
        {
            Cv2.Circle(canvas, new Point((int)Math.Round(x), (int)Math.Round(y)), radius, Gained, thickness + 1, LineTypes.AntiAlias);
        }

        DrawLegend(canvas);
        return canvas.ImEncode(".png");
    }

    private static void DrawLegend(Mat canvas)
    {
        var fontScale = Math.Max(0.35, canvas.Cols / 1800.0);
        var thickness = Math.Max(1, (int)Math.Round(fontScale * 1.5));
        var lineHeight = (int)Math.Ceiling(26 * fontScale) + 4;
        var swatch = lineHeight - 6;
        var textWidth = Legend.Max(e => Cv2.GetTextSize(e.Label, HersheyFonts.HersheySimplex, fontScale, thickness, out _).Width);
        var width = textWidth + swatch + 20;
        var height = Legend.Count * lineHeight + 8;
        var x0 = 6;
        var y0 = canvas.Rows - height - 6;
        if (y0 < 0 || width + x0 > canvas.Cols)
        {
            return;
        }

        using (var roi = new Mat(canvas, new Rect(x0, y0, width, height)))
        {
            roi.SetTo(new Scalar(20, 20, 20));
        }

        for (var i = 0; i < Legend.Count; i++)
        {
            var top = y0 + 4 + i * lineHeight;
            var colour = ParseHex(Legend[i].ColourHex);
            Cv2.Rectangle(canvas, new Rect(x0 + 4, top + 2, swatch, swatch), colour, -1);
            Cv2.PutText(canvas, Legend[i].Label, new Point(x0 + swatch + 10, top + swatch), HersheyFonts.HersheySimplex, fontScale, Scalar.White, thickness, LineTypes.AntiAlias);
        }
    }

    private static string Hex(Scalar bgr) => $"#{(int)bgr.Val2:X2}{(int)bgr.Val1:X2}{(int)bgr.Val0:X2}";

    private static Scalar ParseHex(string hex) => new(
        Convert.ToInt32(hex.Substring(5, 2), 16),
        Convert.ToInt32(hex.Substring(3, 2), 16),
        Convert.ToInt32(hex.Substring(1, 2), 16));
}
