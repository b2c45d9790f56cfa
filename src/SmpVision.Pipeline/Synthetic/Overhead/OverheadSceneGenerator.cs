using OpenCvSharp;
using OpenCvSharp.Aruco;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Synthetic.Overhead;

/// <summary>A generated overhead scene with its exact masks. Owns its Mats: dispose it.</summary>
internal sealed class OverheadScene : IDisposable
{
    internal OverheadScene(ScalpImage image, Mat headMask, Mat baldMask)
    {
        Image = image;
        HeadMask = headMask;
        BaldMask = baldMask;
        int head = Cv2.CountNonZero(headMask);
        BaldFractionOfScalp = head == 0 ? 0 : Cv2.CountNonZero(baldMask) / (double)head;
    }

    internal ScalpImage Image { get; }

    /// <summary>8UC1, 255 on the head.</summary>
    internal Mat HeadMask { get; }

    /// <summary>8UC1, 255 on the bald part of the head.</summary>
    internal Mat BaldMask { get; }

    /// <summary>Exact bald share of the head pixels.</summary>
    internal double BaldFractionOfScalp { get; }

    /// <summary>Corners of the drawn marker (clockwise from its top-left), or null.</summary>
    internal Point2f[]? MarkerCorners { get; init; }

    public void Dispose()
    {
        Image.Dispose();
        HeadMask.Dispose();
        BaldMask.Dispose();
    }
}

/// <summary>
/// Draws a simple top-down head: an elliptical skin dome with shading, a crown bald ellipse of
/// known size, hair as many short 1-px strands in the hair-bearing part, optional glare, a
/// plain or busy background, an optional ArUco marker, and pixel noise. Deterministic per seed.
/// </summary>
internal static class OverheadSceneGenerator
{
    internal static OverheadScene Generate(OverheadSceneSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var rng = new Random(spec.Seed);
        var size = new Size(spec.WidthPixels, spec.HeightPixels);
        var image = new Mat(size, MatType.CV_8UC3, ToBgr(spec.BackgroundColour));
        if (spec.Background == SceneBackground.Busy)
        {
            DrawBusyBackground(image, rng);
        }

        double shortSide = Math.Min(size.Width, size.Height);
        double ry = spec.HeadRadiusFraction * shortSide * 1.15, rx = spec.HeadRadiusFraction * shortSide;
        var centre = new Point2d((size.Width / 2.0) + ((rng.NextDouble() - 0.5) * 0.04 * size.Width), (size.Height / 2.0) + ((rng.NextDouble() - 0.5) * 0.04 * size.Height));
        var headMask = new Mat(size, MatType.CV_8UC1, Scalar.All(0));
        Cv2.Ellipse(headMask, new RotatedRect(new Point2f((float)centre.X, (float)centre.Y), new Size2f(2 * rx, 2 * ry), 0), Scalar.All(255), -1);

        // Bald crown ellipse, a little behind the centre (toward the image top: forehead down).
        var baldMask = new Mat(size, MatType.CV_8UC1, Scalar.All(0));
        if (spec.BaldRadiusFraction > 0)
        {
            var baldCentre = new Point2f((float)centre.X, (float)(centre.Y - (0.15 * ry * Math.Min(1, spec.BaldRadiusFraction))));
            Cv2.Ellipse(baldMask, new RotatedRect(baldCentre, new Size2f((float)(2 * rx * spec.BaldRadiusFraction), (float)(2 * ry * spec.BaldRadiusFraction)), 0), Scalar.All(255), -1);
            Cv2.BitwiseAnd(baldMask, headMask, baldMask);
        }

        // Skin dome: darker toward the rim, as a lit sphere is.
        var skin = ToVec(spec.Skin);
        var rows = image.AsRows<Vec3b>();
        var hRows = headMask.AsRows<byte>();
        int height = size.Height, width = size.Width;
        for (int y = 0; y < height; y++)
        {
            var r = rows[y];
            var h = hRows[y];
            for (int x = 0; x < width; x++)
            {
                if (h[x] == 0)
                {
                    continue;
                }

                double dx = (x - centre.X) / rx, dy = (y - centre.Y) / ry;
                double shade = 1.0 - (0.25 * Math.Min(1, (dx * dx) + (dy * dy)));
                r[x] = new Vec3b((byte)(skin.Item0 * shade), (byte)(skin.Item1 * shade), (byte)(skin.Item2 * shade));
            }
        }

        using (var hairArea = new Mat())
        {
            Cv2.Subtract(headMask, baldMask, hairArea);
            DrawHair(image, hairArea, spec, rng, centre);
        }

        if (spec.Glare && Cv2.CountNonZero(baldMask) > 0)
        {
            using var glare = new Mat(size, MatType.CV_8UC3, Scalar.All(0));
            Cv2.Ellipse(glare, new RotatedRect(new Point2f((float)(centre.X + (0.1 * rx)), (float)(centre.Y - (0.3 * ry))), new Size2f((float)(0.35 * rx), (float)(0.2 * ry)), 20), Scalar.All(120), -1);
            Cv2.GaussianBlur(glare, glare, new Size(0, 0), 0.04 * shortSide);
            using var glareInBald = new Mat(size, MatType.CV_8UC3, Scalar.All(0));
            glare.CopyTo(glareInBald, baldMask);
            Cv2.Add(image, glareInBald, image);
        }

        Point2f[]? markerCorners = null;
        if (spec.MarkerSidePixels is int side)
        {
            markerCorners = DrawMarker(image, side);
        }

        if (spec.NoiseSigma > 0)
        {
            AddNoise(image, spec.NoiseSigma, rng);
        }

        return new OverheadScene(ScalpImage.FromBgr(image), headMask, baldMask) { MarkerCorners = markerCorners };
    }

    private static void DrawHair(Mat image, Mat hairArea, OverheadSceneSpec spec, Random rng, Point2d centre)
    {
        int area = Cv2.CountNonZero(hairArea);
        if (area == 0)
        {
            return;
        }

        var hair = ToBgr(spec.Hair);
        using var layer = image.Clone();
        int strands = (int)(area * spec.StrandsPer100Pixels / 100.0);
        var points = new List<Point>(area);
        var mRows = hairArea.AsRows<byte>();
        int rowCount = hairArea.Rows, colCount = hairArea.Cols;
        for (int y = 0; y < rowCount; y++)
        {
            var mr = mRows[y];
            for (int x = 0; x < colCount; x++)
            {
                if (mr[x] != 0)
                {
                    points.Add(new Point(x, y));
                }
            }
        }

        double length = Math.Max(4, Math.Min(image.Cols, image.Rows) * 0.03);
        for (int i = 0; i < strands; i++)
        {
            var p = points[rng.Next(points.Count)];
            // Strands comb back from the crown outward with some scatter.
            double angle = Math.Atan2(p.Y - centre.Y, p.X - centre.X) + ((rng.NextDouble() - 0.5) * 0.8);
            double l = length * (0.6 + (0.8 * rng.NextDouble()));
            var q = new Point(p.X + (Math.Cos(angle) * l), p.Y + (Math.Sin(angle) * l));
            double tone = 0.85 + (0.3 * rng.NextDouble());
            Cv2.Line(layer, p, q, new Scalar(hair.Val0 * tone, hair.Val1 * tone, hair.Val2 * tone), 1, LineTypes.AntiAlias);
        }

        layer.CopyTo(image, hairArea);
    }

    /// <summary>Adds Gaussian noise (Box-Muller from the scene's own generator, so it is deterministic).</summary>
    private static void AddNoise(Mat image, double sigma, Random rng)
    {
        var rows = image.AsRows<Vec3b>();
        int rowCount = image.Rows, colCount = image.Cols;
        for (int y = 0; y < rowCount; y++)
        {
            var r = rows[y];
            for (int x = 0; x < colCount; x++)
            {
                var v = r[x];
                r[x] = new Vec3b(Noisy(v.Item0, sigma, rng), Noisy(v.Item1, sigma, rng), Noisy(v.Item2, sigma, rng));
            }
        }
    }

    private static byte Noisy(byte value, double sigma, Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        double n = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        return (byte)Math.Clamp(Math.Round(value + (sigma * n)), 0, 255);
    }

    private static void DrawBusyBackground(Mat image, Random rng)
    {
        int w = image.Cols, h = image.Rows;
        for (int i = 0; i < 60; i++)
        {
            var colour = new Scalar(rng.Next(256), rng.Next(256), rng.Next(256));
            if (rng.Next(2) == 0)
            {
                var a = new Point(rng.Next(w), rng.Next(h));
                Cv2.Rectangle(image, new Rect(a.X, a.Y, rng.Next(10, w / 3), rng.Next(10, h / 3)), colour, -1);
            }
            else
            {
                Cv2.Circle(image, new Point(rng.Next(w), rng.Next(h)), rng.Next(5, w / 8), colour, -1);
            }
        }
    }

    private static Point2f[] DrawMarker(Mat image, int side)
    {
        using var dictionary = CvAruco.GetPredefinedDictionary(PredefinedDictionaryType.Dict4X4_50);
        using var marker = new Mat();
        dictionary.GenerateImageMarker(0, side, marker, 1);
        int quiet = Math.Max(4, side / 6);
        int x0 = quiet, y0 = image.Rows - side - quiet;
        Cv2.Rectangle(image, new Rect(0, y0 - quiet, side + (2 * quiet), side + (2 * quiet)), Scalar.All(255), -1);
        using var markerBgr = new Mat();
        Cv2.CvtColor(marker, markerBgr, ColorConversionCodes.GRAY2BGR);
        using (var roi = new Mat(image, new Rect(x0, y0, side, side)))
        {
            markerBgr.CopyTo(roi);
        }

        return [new(x0, y0), new(x0 + side, y0), new(x0 + side, y0 + side), new(x0, y0 + side)];
    }

    private static Vec3b ToVec(LabColour lab)
    {
        var s = ToBgr(lab);
        return new Vec3b((byte)s.Val0, (byte)s.Val1, (byte)s.Val2);
    }

    /// <summary>CIELAB (D65) to 8-bit BGR through OpenCV's float conversion.</summary>
    internal static Scalar ToBgr(LabColour lab)
    {
        using var m = new Mat(1, 1, MatType.CV_32FC3, new Scalar(lab.L, lab.A, lab.B));
        using var bgr = new Mat();
        Cv2.CvtColor(m, bgr, ColorConversionCodes.Lab2BGR);
        var v = bgr.At<Vec3f>(0, 0);
        return new Scalar(Math.Clamp(v.Item0 * 255, 0, 255), Math.Clamp(v.Item1 * 255, 0, 255), Math.Clamp(v.Item2 * 255, 0, 255));
    }
}
