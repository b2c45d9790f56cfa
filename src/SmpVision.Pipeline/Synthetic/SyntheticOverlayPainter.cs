using OpenCvSharp;

namespace SmpVision.Pipeline.Synthetic;

/// <summary>
/// Burns in the capture software's overlays as seen on the dev frames: a top bar of dark boxes
/// with white text (the first in cyan), a light grey bottom band, an L-shaped scale bar with a
/// "1.0 mm" label box, and a thin red circle. Geometry comes from <see cref="SyntheticScene"/>.
/// </summary>
internal static class SyntheticOverlayPainter
{
    private static readonly Scalar BoxGrey = new(72, 72, 72);
    private static readonly Scalar TextWhite = new(235, 235, 235);
    private static readonly Scalar TextCyan = new(225, 215, 40);

    internal static void Paint(Mat bgr, OverlayGeometry g)
    {
        int w = bgr.Cols, h = bgr.Rows;
        if (g.GreyBandHeightPixels > 0)
        {
            bgr.Rectangle(new Rect(0, h - g.GreyBandHeightPixels, w, g.GreyBandHeightPixels), new Scalar(224, 224, 224), -1);
        }

        foreach (var (x, width, text, accent) in g.InfoBoxes)
        {
            var box = new Rect(x, 0, width, g.InfoBarHeightPixels) & new Rect(0, 0, w, h);
            Shade(bgr, box, BoxGrey, 0.85);
            PutText(bgr, text, box, accent ? TextCyan : TextWhite);
        }

        if (g.ScaleBar is { } sb)
        {
            var colour = new Scalar(45, 45, 45);
            bgr.Line(new Point(sb.X0, sb.Y0), new Point(sb.X0, sb.Y0 - sb.LengthPixels), colour, sb.Thickness, LineTypes.Link8);
            bgr.Line(new Point(sb.X0, sb.Y0), new Point(sb.X0 + sb.LengthPixels, sb.Y0), colour, sb.Thickness, LineTypes.Link8);
            var box = new Rect(sb.LabelX, sb.LabelY, sb.LabelWidth, sb.LabelHeight) & new Rect(0, 0, w, h);
            Shade(bgr, box, new Scalar(60, 60, 60), 0.8);
            PutText(bgr, sb.Label, box, TextWhite);
        }

        if (g.RedCircle is { } rc)
        {
            // OpenCV puts integer coordinates at pixel centres; the truth puts them at pixel corners.
            const int Shift = 4;
            var centre = new Point((int)Math.Round((rc.CentreX - 0.5) * (1 << Shift)), (int)Math.Round((rc.CentreY - 0.5) * (1 << Shift)));
            var radius = (int)Math.Round(rc.RadiusPixels * (1 << Shift));
            bgr.Circle(centre, radius, new Scalar(35, 30, 225), rc.Thickness, LineTypes.AntiAlias, Shift);
        }
    }

    private static void Shade(Mat bgr, Rect box, Scalar colour, double alpha)
    {
        if (box.Width <= 0 || box.Height <= 0)
        {
            return;
        }

        using var roi = new Mat(bgr, box);
        using var solid = new Mat(roi.Size(), roi.Type(), colour);
        Cv2.AddWeighted(roi, 1 - alpha, solid, alpha, 0, roi);
    }

    private static void PutText(Mat bgr, string text, Rect box, Scalar colour)
    {
        if (box.Width <= 0 || box.Height <= 0)
        {
            return;
        }

        // Fit the text height to ~55% of the box, then its width to the box.
        var scale = box.Height * 0.55 / 22.0;
        var thickness = Math.Max(1, (int)Math.Round(scale * 1.4));
        var size = Cv2.GetTextSize(text, HersheyFonts.HersheySimplex, scale, thickness, out _);
        if (size.Width > box.Width * 0.92)
        {
            scale *= box.Width * 0.92 / size.Width;
            size = Cv2.GetTextSize(text, HersheyFonts.HersheySimplex, scale, thickness, out _);
        }

        var origin = new Point(box.X + ((box.Width - size.Width) / 2), box.Y + ((box.Height + size.Height) / 2));
        bgr.PutText(text, origin, HersheyFonts.HersheySimplex, scale, colour, thickness, LineTypes.AntiAlias);
    }
}
