using OpenCvSharp;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Model;
using SmpVision.Pipeline.Regions;

namespace SmpVision.Pipeline.Tests.Regions;

public sealed class RegionExtractionTests
{
    [Fact]
    public void Extracts_polygons_with_holes_areas_and_densities()
    {
        // 200 x 100 px at 10 px/mm = 20 x 10 mm. Left half hair-bearing with a 20 x 20 px
        // hairless hole; right half hairless; a 10 px band off-scalp at the top.
        using var image = ScalpImage.FromBgr(new Mat(100, 200, MatType.CV_8UC3, new Scalar(140, 160, 200)));
        using var labels = new Mat(100, 200, MatType.CV_8UC1, Scalar.All((byte)RegionClass.HairBearing));
        labels.Rectangle(new Rect(100, 0, 100, 100), Scalar.All((byte)RegionClass.Hairless), -1);
        labels.Rectangle(new Rect(40, 40, 20, 20), Scalar.All((byte)RegionClass.Hairless), -1);
        labels.Rectangle(new Rect(0, 0, 200, 10), Scalar.All((byte)RegionClass.OffScalp), -1);
        var hairs = new List<HairInstance>();
        var units = new List<FollicularUnit>();
        for (var i = 0; i < 30; i++)
        {
            var p = new PointPixels(5 + (i % 3 * 10), 15 + (i / 3 * 8));
            hairs.Add(new HairInstance(i, p, p, 5, 1, i, false) { CountedInDensity = true });
            units.Add(new FollicularUnit(i, p, [i]));
        }

        var scale = new Scale(10, ScaleSource.Request, 0, "test");
        using var map = RegionExtraction.FromLabels(image, labels, hairs, units, null, scale, new RegionOptions(), CancellationToken.None);

        var hb = Assert.Single(map.Regions, r => r.Class == RegionClass.HairBearing);
        Assert.Equal((100 * 90) - 400, hb.AreaPixels);
        Assert.Single(hb.Polygons);
        Assert.Single(hb.Polygons[0].Holes);
        Assert.Equal(30, hb.HairCount);
        Assert.Equal(30, hb.FollicularUnitCount);
        // 8600 px = 86 mm2 = 0.86 cm2.
        Assert.Equal(86.0, hb.AreaSquareMillimetres!.Value, 6);
        Assert.Equal(30 / 0.86, hb.FollicularUnitsPerSquareCentimetre!.Value, 6);
        Assert.Equal(8600.0 / 18000, hb.AreaFraction, 6);
        Assert.Equal(2, map.Regions.Count(r => r.Class == RegionClass.Hairless));
        Assert.Equal(18000, map.AnalysedAreaPixels);
        Assert.InRange(hb.MeanSkinColour.L, 50, 80);

        using var decoded = Cv2.ImDecode(map.EncodeLabelMapPng(), ImreadModes.Unchanged);
        Assert.Equal((byte)RegionClass.OffScalp, decoded.At<byte>(5, 5));
        Assert.Equal((byte)RegionClass.Hairless, decoded.At<byte>(50, 150));
        Assert.Contains(RegionMap.Legend, e => e.Class == RegionClass.Scar && e.Name == "scar");
    }

    [Fact]
    public void Without_scale_reports_fractions_but_no_physical_values()
    {
        using var image = ScalpImage.FromBgr(new Mat(50, 50, MatType.CV_8UC3, new Scalar(140, 160, 200)));
        using var labels = new Mat(50, 50, MatType.CV_8UC1, Scalar.All((byte)RegionClass.Hairless));
        using var map = RegionExtraction.FromLabels(image, labels, [], [], null, null, new RegionOptions(), CancellationToken.None);
        var region = Assert.Single(map.Regions);
        Assert.Null(region.AreaSquareMillimetres);
        Assert.Null(region.HairsPerSquareCentimetre);
        Assert.Equal(1.0, region.AreaFraction, 9);
        Assert.Contains(map.Warnings, w => w.Code == "no-scale");
    }

    [Fact]
    public void Scar_kind_follows_shape_and_size()
    {
        var options = new RegionOptions();
        var scale = new Scale(100, ScaleSource.Request, 0, "test");
        using var strip = new Mat(300, 300, MatType.CV_8UC1, Scalar.All(0));
        strip.Rectangle(new Rect(20, 140, 260, 30), Scalar.All(255), -1);
        Assert.Equal(ScarKind.LinearStrip, RegionExtraction.ClassifyScar(strip, Cv2.CountNonZero(strip), scale, options));
        using var punch = new Mat(300, 300, MatType.CV_8UC1, Scalar.All(0));
        punch.Circle(new Point(150, 150), 45, Scalar.All(255), -1); // 0.9 mm
        Assert.Equal(ScarKind.PunctateFue, RegionExtraction.ClassifyScar(punch, Cv2.CountNonZero(punch), scale, options));
        using var plug = new Mat(400, 400, MatType.CV_8UC1, Scalar.All(0));
        plug.Circle(new Point(200, 200), 150, Scalar.All(255), -1); // 3 mm
        Assert.Equal(ScarKind.Plug, RegionExtraction.ClassifyScar(plug, Cv2.CountNonZero(plug), scale, options));
        Assert.Equal(ScarKind.Unspecified, RegionExtraction.ClassifyScar(plug, Cv2.CountNonZero(plug), null, options));
    }
}
