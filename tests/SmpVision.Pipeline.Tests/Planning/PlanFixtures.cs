using OpenCvSharp;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Model;
using SmpVision.Pipeline.Regions;

namespace SmpVision.Pipeline.Tests.Planning;

/// <summary>Hand-made region maps for planner tests: painted label rectangles and FU grids.</summary>
internal static class PlanFixtures
{
    internal const double PixelsPerMillimetre = 20.0;

    internal static Scale Scale => new(PixelsPerMillimetre, ScaleSource.Request, 0, "test");

    /// <summary>Uniform skin image of the given size.</summary>
    internal static ScalpImage Skin(int width, int height, Scalar? bgr = null) =>
        ScalpImage.FromBgr(new Mat(height, width, MatType.CV_8UC3, bgr ?? new Scalar(150, 170, 210)));

    /// <summary>FUs on a square lattice at the given density (FU/cm2) inside the rectangle, one hair each.</summary>
    internal static void AddUnits(Rect r, double perCm2, List<HairInstance> hairs, List<FollicularUnit> units)
    {
        var pitchPx = Math.Sqrt(100.0 / perCm2) * PixelsPerMillimetre;
        for (var y = r.Top + (pitchPx / 2); y < r.Bottom; y += pitchPx)
        {
            for (var x = r.Left + (pitchPx / 2); x < r.Right; x += pitchPx)
            {
                var p = new PointPixels(x, y);
                hairs.Add(new HairInstance(hairs.Count, p, new PointPixels(x + 5, y + 5), 7, 1.2, units.Count, false) { CountedInDensity = true });
                units.Add(new FollicularUnit(units.Count, p, [hairs.Count - 1]));
            }
        }
    }

    /// <summary>Builds a map from rectangles painted with classes over a hair-bearing background.</summary>
    internal static RegionMap Map(ScalpImage image, IEnumerable<(Rect Rect, RegionClass Class)> paint, List<HairInstance> hairs, List<FollicularUnit> units, Scale? scale)
    {
        using var labels = new Mat(image.HeightPixels, image.WidthPixels, MatType.CV_8UC1, Scalar.All((byte)RegionClass.HairBearing));
        foreach (var (rect, cls) in paint)
        {
            labels.Rectangle(rect, Scalar.All((byte)cls), -1);
        }

        return RegionExtraction.FromLabels(image, labels, hairs, units, null, scale, new RegionOptions(), CancellationToken.None);
    }
}
