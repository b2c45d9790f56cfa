using OpenCvSharp;
using SmpVision.Pipeline.Imaging;

namespace SmpVision.Pipeline.Tests.Measurement;

/// <summary>A straight hair shaft drawn on a fixture frame (full-resolution pixels).</summary>
internal sealed record FixtureHair(Point2d Emergence, double AngleDegrees, double LengthPixels, double WidthPixels);

/// <summary>
/// Small trichoscopy-like frames made in code: mottled skin, dark shafts with a blue-grey
/// sub-surface continuation at the emergence end. Deterministic per seed.
/// </summary>
internal static class TrichoscopyFixture
{
    /// <summary>Rows of the three horizontal shafts drawn by <see cref="GreyShafts"/>.</summary>
    public static readonly int[] GreyShaftRows = [90, 200, 310];

    /// <summary>Horizontal shafts 15 px (83 um at 180 px/mm) wide, 300 px long, on a 480 x 400 frame: a 9 px light core between 3 px shaded rims.</summary>
    public static Mat GreyShafts(Scalar skin, Scalar lightCore, Scalar shadedRim)
    {
        var img = Skin(480, 400, 5, skin);
        foreach (int y in GreyShaftRows)
        {
            Cv2.Rectangle(img, new Rect(90, y - 7, 300, 15), shadedRim, -1);
            Cv2.Rectangle(img, new Rect(90, y - 4, 300, 9), lightCore, -1);
        }

        return img;
    }

    /// <summary>Median, over the middles of <see cref="GreyShafts"/>, of the mask's run across each column.</summary>
    public static int MedianGreyShaftWidthPixels(Mat hairMask)
    {
        var widths = new List<int>();
        foreach (int y in GreyShaftRows)
        {
            for (int x = 130; x < 350; x += 5)
            {
                int n = 0;
                for (int yy = y - 12; yy <= y + 12; yy++)
                {
                    n += hairMask.At<byte>(yy, x) != 0 ? 1 : 0;
                }

                widths.Add(n);
            }
        }

        widths.Sort();
        return widths[widths.Count / 2];
    }

    public static Mat Skin(int width, int height, int seed, Scalar skinBgr)
    {
        var rng = new Random(seed);
        var img = new Mat(height, width, MatType.CV_8UC3, skinBgr);
        using var noise = new Mat(height, width, MatType.CV_8UC3);
        // OpenCV's RNG is per thread and other code reseeds it: seed it here so a fixture is the
        // same frame on any test thread (an unseeded fixture made one zero-hair test flaky).
        Cv2.SetTheRNG((ulong)seed + 1);
        Cv2.Randn(noise, new Scalar(128, 128, 128), new Scalar(6, 6, 6));
        using var noiseBlur = new Mat();
        Cv2.GaussianBlur(noise, noiseBlur, new Size(5, 5), 0);
        Cv2.AddWeighted(img, 1.0, noiseBlur, 1.0, -128, img);
        // A few soft bright patches (scaly skin, not glare).
        for (int i = 0; i < 6; i++)
        {
            var c = new Point(rng.Next(width), rng.Next(height));
            Cv2.Circle(img, c, rng.Next(10, 30), new Scalar(skinBgr.Val0 + 15, skinBgr.Val1 + 15, skinBgr.Val2 + 15), -1, LineTypes.AntiAlias);
        }

        Cv2.GaussianBlur(img, img, new Size(3, 3), 0);
        return img;
    }

    public static void DrawHair(Mat img, FixtureHair h, Scalar hairBgr)
    {
        double a = h.AngleDegrees * Math.PI / 180;
        var e = new Point((int)h.Emergence.X, (int)h.Emergence.Y);
        var tip = new Point((int)(h.Emergence.X + (h.LengthPixels * Math.Cos(a))), (int)(h.Emergence.Y + (h.LengthPixels * Math.Sin(a))));
        var under = new Point((int)(h.Emergence.X - (0.6 * h.LengthPixels * Math.Cos(a))), (int)(h.Emergence.Y - (0.6 * h.LengthPixels * Math.Sin(a))));
        // Sub-surface shaft: a wide faint blue-grey shadow behind the opening.
        using (var shadow = img.Clone())
        {
            Cv2.Line(shadow, under, e, new Scalar(150, 120, 100), (int)(h.WidthPixels * 1.4), LineTypes.AntiAlias);
            Cv2.AddWeighted(shadow, 0.5, img, 0.5, 0, img);
        }

        Cv2.Line(img, e, tip, hairBgr, (int)Math.Round(h.WidthPixels), LineTypes.AntiAlias);
    }

    public static ScalpImage Frame(int width, int height, int seed, IEnumerable<FixtureHair> hairs, Scalar skin, Scalar hair)
    {
        var img = Skin(width, height, seed, skin);
        foreach (var h in hairs)
        {
            DrawHair(img, h, hair);
        }

        return ScalpImage.FromBgr(img);
    }

    /// <summary>Random non-overlapping hairs on a grid, all within the frame.</summary>
    public static List<FixtureHair> RandomHairs(int width, int height, int seed, int count, double widthPixels)
    {
        var rng = new Random(seed);
        var hairs = new List<FixtureHair>();
        int cols = (int)Math.Ceiling(Math.Sqrt(count * width / (double)height));
        int rows = (int)Math.Ceiling(count / (double)cols);
        double cw = width / (double)cols, ch = height / (double)rows;
        for (int i = 0; i < count; i++)
        {
            int gx = i % cols, gy = i / cols;
            double angle = rng.Next(20, 70);
            double length = Math.Min(cw, ch) * (0.45 + (0.15 * rng.NextDouble()));
            double ex = (gx * cw) + (0.2 * cw) + (0.1 * cw * rng.NextDouble());
            double ey = (gy * ch) + (0.2 * ch) + (0.1 * ch * rng.NextDouble());
            hairs.Add(new FixtureHair(new Point2d(ex, ey), angle, length, widthPixels));
        }

        return hairs;
    }
}
