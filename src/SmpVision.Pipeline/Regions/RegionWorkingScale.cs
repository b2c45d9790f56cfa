using OpenCvSharp;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Regions;

/// <summary>
/// The region stage's working scale (<see cref="RegionOptions.WorkingMicrometresPerPixel"/>): the
/// frame and its masks reduced by a whole factor f before the stage, and the map enlarged back
/// after it. Why: the stage's outputs are coarse (colour cells of 75 um, density cells of
/// ~0.1-0.5 mm, regions of at least 0.05 mm2), but on 70x frames (~361 px/mm) its input masks,
/// label map, region ids and per-class contours were full-resolution work (~26 ms of a ~100 ms
/// analysis of a 1280x1024 frame). Reduction: colours by area averaging (each working pixel the
/// mean of its f x f block), masks by majority of the block (the hair mask's coverage fraction
/// stays unbiased), hair and FU positions divided by f. Enlargement: labels and region ids by
/// copying each working pixel to its block; off-scalp then follows the exact frame mask as at
/// full resolution; polygons in frame pixels (block centres), pixel areas times f^2 (so a
/// region's AreaPixels can differ from its count in the enlarged label map by its edge blocks).
/// </summary>
internal static class RegionWorkingScale
{
    /// <summary>The whole factor nearest to working size / frame pixel size (5.5 um over 2.77 um on
    /// 70x frames: 2), lowered until it divides both sides; 1 without a scale or with the option 0.</summary>
    internal static int Factor(int width, int height, Scale? scale, RegionOptions options)
    {
        if (scale is null || options.WorkingMicrometresPerPixel <= 0)
        {
            return 1;
        }

        var most = (int)Math.Round(options.WorkingMicrometresPerPixel / scale.MicrometresPerPixel, MidpointRounding.AwayFromZero);
        for (var f = Math.Min(most, Math.Min(width, height)); f > 1; f--)
        {
            if (width % f == 0 && height % f == 0)
            {
                return f;
            }
        }

        return 1;
    }

    /// <summary>Inputs of the stage at the working scale; owns its Mats.</summary>
    internal sealed class Reduced : IDisposable
    {
        internal Reduced(ScalpImage image, Mat analysableMask, Mat hairMask, IReadOnlyList<HairInstance> hairs, IReadOnlyList<FollicularUnit> units, Scale scale, RegionOptions options)
        {
            Image = image;
            AnalysableMask = analysableMask;
            HairMask = hairMask;
            Hairs = hairs;
            Units = units;
            Scale = scale;
            Options = options;
        }

        internal ScalpImage Image { get; }

        internal Mat AnalysableMask { get; }

        internal Mat HairMask { get; }

        internal IReadOnlyList<HairInstance> Hairs { get; }

        internal IReadOnlyList<FollicularUnit> Units { get; }

        internal Scale Scale { get; }

        internal RegionOptions Options { get; }

        public void Dispose()
        {
            Image.Dispose();
            AnalysableMask.Dispose();
            HairMask.Dispose();
        }
    }

    /// <summary>Reduces the frame, masks, positions, scale and pixel-valued options by <paramref name="factor"/>.</summary>
    internal static Reduced Reduce(ScalpImage image, Mat analysableMask, Mat hairMask, IReadOnlyList<HairInstance> hairs, IReadOnlyList<FollicularUnit> units, Scale scale, RegionOptions options, int factor)
    {
        var size = new Size(image.WidthPixels / factor, image.HeightPixels / factor);
        var bgr = new Mat();
        Mat? analysable = null;
        Mat? hair = null;
        try
        {
            // A whole factor makes the area resize exact block means (OpenCV's fast area path).
            Cv2.Resize(image.Bgr, bgr, size, 0, 0, InterpolationFlags.Area);
            analysable = MajorityMask(analysableMask, size);
            hair = MajorityMask(hairMask, size);
            var smallImage = ScalpImage.FromBgr(bgr);
            bgr = null;
            var f = (double)factor;
            return new Reduced(
                smallImage,
                analysable,
                hair,
                [.. hairs.Select(h => h with { Emergence = new PointPixels(h.Emergence.X / f, h.Emergence.Y / f) })],
                [.. units.Select(u => u with { Centre = new PointPixels(u.Centre.X / f, u.Centre.Y / f) })],
                scale with { PixelsPerMillimetre = scale.PixelsPerMillimetre / f },
                options with { PolygonTolerancePixels = options.PolygonTolerancePixels / f });
        }
        catch
        {
            bgr?.Dispose();
            analysable?.Dispose();
            hair?.Dispose();
            throw;
        }
    }

    /// <summary>255 where more than half of the block is set (0/255 masks; any non-zero counts as set).</summary>
    private static Mat MajorityMask(Mat mask, Size size)
    {
        var result = new Mat();
        try
        {
            using (var binary = new Mat())
            {
                Cv2.Threshold(mask, binary, 0, 255, ThresholdTypes.Binary);
                Cv2.Resize(binary, result, size, 0, 0, InterpolationFlags.Area);
            }

            Cv2.Threshold(result, result, 127, 255, ThresholdTypes.Binary);
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The map of the frame from the map made at the working scale, whose ownership it takes. The
    /// regions and metrics are converted now; the frame-size label and region-id images only when
    /// first read (most analyses report the regions alone; the label map PNG, dot layout,
    /// preview and comparison read them), from the small images and a copy of the frame mask.
    /// </summary>
    internal static RegionMap Enlarge(RegionMap small, Mat analysableMask, int factor, Scale scale)
    {
        Mat analysable;
        try
        {
            analysable = analysableMask.Clone();
        }
        catch
        {
            small.Dispose();
            throw;
        }

        var source = new Owned(small, analysable);
        try
        {
            var size = new Size(analysable.Cols, analysable.Rows);
            var f = (double)factor;
            var f2 = (long)factor * factor;
            var centre = (f - 1) / 2.0;
            PolygonPixels Up(PolygonPixels p) => new([.. p.Vertices.Select(q => new PointPixels((q.X * f) + centre, (q.Y * f) + centre))]);
            var regions = small.Regions
                .Select(r => r with
                {
                    AreaPixels = r.AreaPixels * f2,
                    Polygons = [.. r.Polygons.Select(g => new RegionPolygon(Up(g.Outer), [.. g.Holes.Select(Up)]))],
                })
                .ToList();
            var classes = small.Classes.Select(c => c with { AreaPixels = c.AreaPixels * f2 }).ToList();
            var reference = new RegionReference(small.ReferenceFolliclesPerSquarePixel / f2, small.ReferenceCountsFollicularUnits, small.ReferenceSource);
            return new RegionMap(
                () => EnlargeLabels(small.Labels, analysable, size),
                () => EnlargeIds(small.RegionIds, analysable, size),
                source,
                size.Width,
                size.Height,
                regions,
                classes,
                small.AnalysedAreaPixels * f2,
                reference,
                scale.PixelsPerMillimetre,
                small.Warnings);
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    /// <summary>Labels copied to their blocks; off-scalp follows the exact frame mask, as at full
    /// resolution: blocks half off the mask are off-scalp only where the frame's pixel is, and
    /// its pixels on the mask that the block called off-scalp become hair-bearing.</summary>
    private static Mat EnlargeLabels(Mat smallLabels, Mat analysable, Size size)
    {
        var labels = new Mat();
        try
        {
            Cv2.Resize(smallLabels, labels, size, 0, 0, InterpolationFlags.Nearest);
            using var offInLabels = new Mat();
            Cv2.Compare(labels, (double)(byte)RegionClass.OffScalp, offInLabels, CmpTypes.EQ);
            using var wronglyOff = new Mat();
            Cv2.BitwiseAnd(offInLabels, analysable, wronglyOff);
            labels.SetTo(Scalar.All((byte)RegionClass.HairBearing), wronglyOff);
            using var off = new Mat();
            Cv2.Compare(analysable, 0, off, CmpTypes.EQ);
            labels.SetTo(Scalar.All((byte)RegionClass.OffScalp), off);
            return labels;
        }
        catch
        {
            labels.Dispose();
            throw;
        }
    }

    /// <summary>Region ids copied to their blocks; none (-1) on a pixel off the frame mask, so no
    /// planned dot lands there.</summary>
    private static Mat EnlargeIds(Mat smallIds, Mat analysable, Size size)
    {
        var ids = new Mat();
        try
        {
            Cv2.Resize(smallIds, ids, size, 0, 0, InterpolationFlags.Nearest);
            using var off = new Mat();
            Cv2.Compare(analysable, 0, off, CmpTypes.EQ);
            ids.SetTo(Scalar.All(-1), off);
            return ids;
        }
        catch
        {
            ids.Dispose();
            throw;
        }
    }

    /// <summary>What an enlarged map reads from: the working-scale map and the frame mask.</summary>
    private sealed class Owned(RegionMap small, Mat analysable) : IDisposable
    {
        public void Dispose()
        {
            small.Dispose();
            analysable.Dispose();
        }
    }
}

/// <summary>
/// The frame's own pixels for the colours of a map made at a working scale: a colour sample
/// taken at a working pixel reads one frame pixel of its block (the first in raster order that
/// is analysable and, for skin, off the frame's hair mask or, for hair, on it) instead of the
/// block's mean, so region, skin and hair colours keep the statistics of single pixels as at
/// full resolution (block means mix a hair's edge with skin and shift medians: on real 70x
/// frames the skin ITA, ill-conditioned where b* is near 0, moved by up to 3 deg). The Mats are
/// the caller's and must outlive the stage.
/// </summary>
/// <param name="Bgr">The frame, 8UC3.</param>
/// <param name="Hair">The frame's hair mask, 8UC1, non-zero = hair.</param>
/// <param name="Analysable">The frame's analysable mask, 8UC1, non-zero = analysable.</param>
/// <param name="Factor">The working scale's reduction factor.</param>
internal sealed record FrameColourSource(Mat Bgr, Mat Hair, Mat Analysable, int Factor)
{
    /// <summary>A sampler for a mask whose (0, 0) is working pixel <paramref name="offset"/>.</summary>
    internal FramePixelSampler At(Point offset, bool hair) => new(this, offset, hair);
}

/// <summary>Picks the frame pixel of a working pixel's block (see <see cref="FrameColourSource"/>).</summary>
internal readonly struct FramePixelSampler
{
    private readonly FrameColourSource _source;
    private readonly Point _offset;
    private readonly bool _hair;

    internal FramePixelSampler(FrameColourSource source, Point offset, bool hair)
    {
        _source = source;
        _offset = offset;
        _hair = hair;
    }

    /// <summary>The frame pixel for working pixel (x, y) of the mask, else <paramref name="blockMean"/>.</summary>
    internal unsafe Vec3b Pick(int x, int y, Vec3b blockMean)
    {
        var f = _source.Factor;
        var x0 = (x + _offset.X) * f;
        var y0 = (y + _offset.Y) * f;
        for (var yy = y0; yy < y0 + f; yy++)
        {
            var ph = (byte*)_source.Hair.Ptr(yy);
            var pa = (byte*)_source.Analysable.Ptr(yy);
            var pb = (byte*)_source.Bgr.Ptr(yy);
            for (var xx = x0; xx < x0 + f; xx++)
            {
                if (pa[xx] != 0 && (ph[xx] != 0) == _hair)
                {
                    return new Vec3b(pb[3 * xx], pb[(3 * xx) + 1], pb[(3 * xx) + 2]);
                }
            }
        }

        return blockMean;
    }
}

