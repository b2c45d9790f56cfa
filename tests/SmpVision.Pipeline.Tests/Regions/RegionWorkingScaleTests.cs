using OpenCvSharp;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Model;
using SmpVision.Pipeline.Regions;
using SmpVision.Pipeline.Synthetic;

namespace SmpVision.Pipeline.Tests.Regions;

/// <summary>
/// The region stage at a reduced working scale (<see cref="RegionOptions.WorkingMicrometresPerPixel"/>)
/// against the same stage at full resolution, on generated frames fed true hairs and masks.
/// </summary>
public sealed class RegionWorkingScaleTests
{
    private const int Width = 512;
    private const int Height = 410;
    private const double Ppm = 40; // 25 um pixels: 50 um working pixels give factor 2

    [Theory]
    [InlineData(5.5, 361, 1280, 1024, 2)] // 70x real frames: 2.77 um -> 5.54 um
    [InlineData(5.5, 180, 1280, 1024, 1)] // 5.56 um already
    [InlineData(5.5, 50, 1280, 1024, 1)]
    [InlineData(11, 361, 1280, 1024, 4)]
    [InlineData(11, 361, 1281, 1024, 1)] // no whole factor divides 1281 and 1024 but 1
    [InlineData(5.5, 361, 1278, 1023, 1)]
    [InlineData(0, 361, 1280, 1024, 1)] // 0: full resolution
    public void Factor_is_the_nearest_whole_reduction_dividing_both_sides(double micrometres, double ppm, int width, int height, int expected)
    {
        var options = new RegionOptions { WorkingMicrometresPerPixel = micrometres };
        Assert.Equal(expected, RegionWorkingScale.Factor(width, height, new Scale(ppm, ScaleSource.Request, 0, "test"), options));
    }

    [Fact]
    public void Factor_is_one_without_a_scale() =>
        Assert.Equal(1, RegionWorkingScale.Factor(1280, 1024, null, new RegionOptions()));

    [Fact]
    public void Reduced_map_matches_full_resolution_and_is_given_in_frame_pixels()
    {
        var spec = new SyntheticTrichoscopySpec
        {
            WidthPixels = Width,
            HeightPixels = Height,
            PixelsPerMillimetre = Ppm,
            Overlays = SyntheticOverlays.InfoBar,
            Regions = [SyntheticRegionSpec.LinearStripScar(new PointPixels(-10, 190), new PointPixels(Width + 10, 220), 70)],
        };
        RegionClass[] scored = [RegionClass.HairBearing, RegionClass.Scar];
        var (full, fullMap) = TrueHairRegionFixture.Segment(spec, 21, new RegionOptions { WorkingMicrometresPerPixel = 0 }, scored);
        var (reduced, map) = TrueHairRegionFixture.Segment(spec, 21, new RegionOptions { WorkingMicrometresPerPixel = 50 }, scored);
        using (fullMap)
        using (map)
        {
            foreach (var c in scored)
            {
                Assert.True(Math.Abs(full[c] - reduced[c]) <= 0.03, $"{c}: IoU full {full[c]:F3}, reduced {reduced[c]:F3}");
            }

            Assert.Equal(Width, map.WidthPixels);
            Assert.Equal(Height, map.HeightPixels);
            Assert.Equal(fullMap.ReferenceFolliclesPerSquareCentimetre ?? 0, map.ReferenceFolliclesPerSquareCentimetre ?? 0, 0.1 * (fullMap.ReferenceFolliclesPerSquareCentimetre ?? 1));
            Assert.Equal(Ppm, map.PixelsPerMillimetre);

            // Pixel areas are frame pixels: the class totals agree with the enlarged label map up to edge blocks.
            foreach (var summary in map.Classes.Where(s => s.Class != RegionClass.OffScalp && s.AreaPixels > 0))
            {
                using var m = new Mat();
                Cv2.Compare(map.Labels, (double)(byte)summary.Class, m, CmpTypes.EQ);
                var counted = Cv2.CountNonZero(m);
                Assert.True(Math.Abs(counted - summary.AreaPixels) <= 0.05 * counted + 200, $"{summary.Class}: {summary.AreaPixels} vs {counted} in the label map");
            }

            // Polygons lie in the frame; no region id on an off-scalp pixel.
            Assert.All(map.Regions.SelectMany(r => r.Polygons).SelectMany(p => p.Outer.Vertices), v =>
                Assert.True(v.X >= 0 && v.Y >= 0 && v.X <= Width - 1 && v.Y <= Height - 1, $"vertex {v}"));
            using var off = new Mat();
            Cv2.Compare(map.Labels, (double)(byte)RegionClass.OffScalp, off, CmpTypes.EQ);
            Assert.True(Cv2.CountNonZero(off) > 0, "the info bar is off-scalp");
            using var idOnOff = new Mat();
            Cv2.Compare(map.RegionIds, -1.0, idOnOff, CmpTypes.NE);
            Cv2.BitwiseAnd(idOnOff, off, idOnOff);
            Assert.Equal(0, Cv2.CountNonZero(idOnOff));
        }
    }
}

/// <summary>Colour samples of a working-scale map read one frame pixel of the block.</summary>
public sealed class FramePixelSamplerTests
{
    [Fact]
    public void Skin_and_hair_samples_read_the_first_matching_analysable_pixel_of_the_block()
    {
        using var bgr = new Mat(4, 4, MatType.CV_8UC3);
        for (var y = 0; y < 4; y++)
        {
            for (var x = 0; x < 4; x++)
            {
                bgr.Set(y, x, new Vec3b((byte)(10 * x), (byte)(10 * y), 200));
            }
        }

        using var hair = new Mat(4, 4, MatType.CV_8UC1, Scalar.All(0));
        hair.Set(0, 0, (byte)255); // block (0, 0): hair at its top-left pixel
        using var analysable = new Mat(4, 4, MatType.CV_8UC1, Scalar.All(255));
        analysable.Set(0, 1, (byte)0); // ... and its top-right pixel off the mask
        var source = new FrameColourSource(bgr, hair, analysable, 2);
        var mean = new Vec3b(1, 2, 3);

        Assert.Equal(new Vec3b(0, 0, 200), source.At(default, hair: true).Pick(0, 0, mean));
        Assert.Equal(new Vec3b(0, 10, 200), source.At(default, hair: false).Pick(0, 0, mean)); // (x 0, y 1)
        // The offset of a region's box: working pixel (0, 0) of a mask starting at (1, 1) is block (1, 1).
        Assert.Equal(new Vec3b(20, 20, 200), source.At(new Point(1, 1), hair: false).Pick(0, 0, mean));
        // No hair in the block: the block mean stands in.
        Assert.Equal(mean, source.At(new Point(1, 0), hair: true).Pick(0, 0, mean));
    }
}
