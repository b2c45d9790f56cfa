using OpenCvSharp;
using SmpVision.Pipeline.Comparison;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Tests.Comparison;

/// <summary>A hair of the generated scene, in scene (before) pixels.</summary>
internal sealed record SceneHair(double X, double Y, double AngleRadians, double LengthPixels);

/// <summary>One generated visit with its exact truth; owns its Mats.</summary>
internal sealed class SyntheticVisit : IDisposable
{
    public required ScalpImage Image { get; init; }
    public required Mat AnalysableMask { get; init; }
    public required Mat HairMask { get; init; }
    public required Mat RegionLabels { get; init; }
    public required IReadOnlyList<HairInstance> Hairs { get; init; }
    public required IReadOnlyList<FollicularUnit> Units { get; init; }

    public ComparisonSide ToSide(Calibration.Scale? scale = null, bool withLabels = true) =>
        new(Image, AnalysableMask, HairMask, Hairs, Units, withLabels ? RegionLabels : null, scale, Modality.Trichoscopy);

    public void Dispose()
    {
        Image.Dispose();
        AnalysableMask.Dispose();
        HairMask.Dispose();
        RegionLabels.Dispose();
    }
}

/// <summary>
/// Generates small textured "trichoscopy" frames with known hairs: skin with multi-scale blotches
/// and pores (so features exist), dark hair shafts, and a region map (left half thinning, right
/// half hair-bearing). The after visit is the same scene with chosen hairs, seen through a known warp.
/// </summary>
internal static class SyntheticScalpFixture
{
    public const int Width = 480;
    public const int Height = 384;
    public const int RegionSplitX = Width / 2;
    public const double HairWidthPixels = 4;

    /// <summary>Random hairs inside the central area (kept inside the common area of modest warps), away from the region split.</summary>
    public static List<SceneHair> Hairs(int seed, int count, double xMin, double xMax)
    {
        var rng = new Random(seed);
        var hairs = new List<SceneHair>();
        while (hairs.Count < count)
        {
            var x = xMin + rng.NextDouble() * (xMax - xMin);
            var y = 90 + rng.NextDouble() * (Height - 180);
            if (Math.Abs(x - RegionSplitX) < 20)
            {
                continue;
            }

            hairs.Add(new SceneHair(x, y, rng.NextDouble() * 2 * Math.PI, 20 + rng.NextDouble() * 25));
        }

        return hairs;
    }

    /// <summary>Renders a visit: texture from <paramref name="textureSeed"/>, the given hairs, then the warp (null = none).</summary>
    public static SyntheticVisit Render(int textureSeed, IReadOnlyList<SceneHair> hairs, KnownWarp? warp)
    {
        using var scene = Texture(textureSeed);
        using var hairMask = new Mat(Height, Width, MatType.CV_8UC1, Scalar.All(0));
        foreach (var hair in hairs)
        {
            var tip = new Point(hair.X + Math.Cos(hair.AngleRadians) * hair.LengthPixels, hair.Y + Math.Sin(hair.AngleRadians) * hair.LengthPixels);
            var root = new Point(hair.X, hair.Y);
            Cv2.Line(scene, root, tip, new Scalar(35, 40, 55), (int)HairWidthPixels, LineTypes.AntiAlias);
            Cv2.Line(hairMask, root, tip, Scalar.All(255), (int)HairWidthPixels, LineTypes.Link8);
        }

        using var labels = new Mat(Height, Width, MatType.CV_8UC1, Scalar.All((byte)RegionClass.HairBearing));
        using (var left = new Mat(labels, new Rect(0, 0, RegionSplitX, Height)))
        {
            left.SetTo(Scalar.All((byte)RegionClass.Thinning));
        }

        var identity = new KnownWarp(0, 1, 0, 0, 0, 0, 1, 0);
        var w = warp ?? identity;
        var h = w.Homography(Width, Height);
        using var sceneImage = ScalpImage.FromBgr(scene.Clone());
        var (image, valid) = w.Apply(sceneImage);
        using var hm = KnownWarp.ToMat(h);
        var size = new Size(Width, Height);
        var warpedHair = new Mat();
        Cv2.WarpPerspective(hairMask, warpedHair, hm, size, InterpolationFlags.Nearest, BorderTypes.Constant, Scalar.All(0));
        var warpedLabels = new Mat();
        Cv2.WarpPerspective(labels, warpedLabels, hm, size, InterpolationFlags.Nearest, BorderTypes.Constant, Scalar.All((byte)RegionClass.OffScalp));

        var instances = new List<HairInstance>();
        var units = new List<FollicularUnit>();
        for (var i = 0; i < hairs.Count; i++)
        {
            var hair = hairs[i];
            var e = HomographyMath.Apply(h, hair.X, hair.Y);
            var t = HomographyMath.Apply(h, hair.X + Math.Cos(hair.AngleRadians) * hair.LengthPixels, hair.Y + Math.Sin(hair.AngleRadians) * hair.LengthPixels);
            instances.Add(new HairInstance(i, e, t, hair.LengthPixels, HairWidthPixels, i, false));
            units.Add(new FollicularUnit(i, e, [i]));
        }

        return new SyntheticVisit { Image = image, AnalysableMask = valid, HairMask = warpedHair, RegionLabels = warpedLabels, Hairs = instances, Units = units };
    }

    /// <summary>Skin: a base tone with blotches at two scales and small dark pores.</summary>
    private static Mat Texture(int seed)
    {
        var rng = new Random(seed);
        using var noiseFine = new Mat(Height, Width, MatType.CV_32FC1);
        using var noiseCoarse = new Mat(Height, Width, MatType.CV_32FC1);
        noiseFine.SetArray(Gaussian(rng, Width * Height));
        noiseCoarse.SetArray(Gaussian(rng, Width * Height));
        Cv2.GaussianBlur(noiseFine, noiseFine, new Size(0, 0), 2.0);
        Cv2.GaussianBlur(noiseCoarse, noiseCoarse, new Size(0, 0), 7.0);
        using var shade = new Mat();
        // Blurred unit noise has a small spread; scale each to a few grey levels of visible texture.
        Cv2.AddWeighted(noiseFine, 60, noiseCoarse, 180, 0, shade);

        using var grey = new Mat();
        shade.ConvertTo(grey, MatType.CV_8UC1, 1, 150);
        for (var i = 0; i < 300; i++)
        {
            Cv2.Circle(grey, new Point(rng.Next(Width), rng.Next(Height)), 1 + rng.Next(3), Scalar.All(95 + rng.Next(30)), -1, LineTypes.AntiAlias);
        }

        var bgr = new Mat();
        using var b = new Mat();
        using var g = new Mat();
        using var r = new Mat();
        grey.ConvertTo(b, MatType.CV_8UC1, 0.75, 0);
        grey.ConvertTo(g, MatType.CV_8UC1, 0.85, 0);
        grey.ConvertTo(r, MatType.CV_8UC1, 1.0, 40);
        Cv2.Merge([b, g, r], bgr);
        return bgr;
    }

    private static float[] Gaussian(Random rng, int n)
    {
        var values = new float[n];
        for (var i = 0; i < n; i++)
        {
            // Box-Muller: deterministic for a seed, unlike OpenCV's global RNG.
            var u1 = 1.0 - rng.NextDouble();
            var u2 = rng.NextDouble();
            values[i] = (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }

        return values;
    }
}
