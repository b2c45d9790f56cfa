using OpenCvSharp;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Regions;

/// <summary>
/// Turns any per-pixel class label map (values = <see cref="RegionClass"/>) into regions:
/// polygons (outer + holes), area in pixels, fraction of the analysed scalp and mm2 (with a
/// scale), hair and FU counts and densities per cm2 (with a scale), hair coverage fraction,
/// density relative to the reference, mean CIELAB skin colour, and the scar kind from shape.
/// Used by <see cref="RegionSegmentation"/> for trichoscopy and directly for overhead label maps.
/// </summary>
internal static class RegionExtraction
{
    private static readonly RegionClass[] ScalpClasses =
        [RegionClass.HairBearing, RegionClass.Thinning, RegionClass.Hairless, RegionClass.Scar];

    /// <summary>
    /// Extracts regions and metrics from a label map made elsewhere (e.g. the overhead
    /// segmenter). The label Mat is copied; the caller keeps ownership of its inputs. The
    /// reference density is <see cref="RegionOptions.ReferenceFolliclesPerSquareCentimetre"/> when
    /// given (with a scale), else the follicle density of the hair-bearing class when it holds at
    /// least <see cref="RegionOptions.MinFolliclesForInImageReference"/> hairs, else none.
    /// </summary>
    /// <returns>The region map (dispose it).</returns>
    internal static RegionMap FromLabels(
        ScalpImage image,
        Mat labels,
        IReadOnlyList<HairInstance> hairs,
        IReadOnlyList<FollicularUnit> units,
        Mat? hairMask,
        Scale? scale,
        RegionOptions options,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(hairs);
        ArgumentNullException.ThrowIfNull(units);
        ArgumentNullException.ThrowIfNull(options);
        ThrowIfInvalid(options);
        CheckGeometry(image, labels, "labels");
        if (hairMask is not null)
        {
            CheckGeometry(image, hairMask, "hairMask");
        }

        var warnings = new List<PipelineWarning>();
        var useUnits = options.DensityFromFollicularUnits && units.Count > 0;
        RegionReference reference;
        if (options.ReferenceFolliclesPerSquareCentimetre is { } refCm2 && scale is not null)
        {
            reference = new RegionReference(refCm2 / 100.0 * scale.SquareMillimetresPerPixel, useUnits, "given");
        }
        else
        {
            using var hb = new Mat();
            Cv2.Compare(labels, (double)(byte)RegionClass.HairBearing, hb, CmpTypes.EQ);
            var area = Cv2.CountNonZero(hb);
            var n = CountPointsIn(hb, useUnits ? CountingRule.CountedUnits(units, hairs).Select(c => c.Unit.Centre) : CountingRule.CountedHairs(hairs).Select(h => h.Emergence));
            if (area > 0 && n >= options.MinFolliclesForInImageReference)
            {
                reference = new RegionReference(n / (double)area, useUnits, "hair-bearing-class");
            }
            else
            {
                reference = new RegionReference(null, useUnits, "none");
                // Overhead photos count no hairs at all: there is no density to be relative, so
                // the warning would always fire and say nothing.
                if (hairs.Count > 0 || units.Count > 0)
                {
                    warnings.Add(new PipelineWarning("no-reference-density", "Too few follicles in hair-bearing scalp to set a reference density; relative densities are not reported."));
                }
            }
        }

        var owned = labels.Clone();
        return Build(image, owned, hairs, units, hairMask, scale, options, reference, warnings, null, ct);
    }

    /// <summary>Builds the map from a label Mat it takes ownership of; colours are read from
    /// <paramref name="frameColours"/> when the map is at a working scale (null: from the image).</summary>
    internal static RegionMap Build(
        ScalpImage image,
        Mat ownedLabels,
        IReadOnlyList<HairInstance> hairs,
        IReadOnlyList<FollicularUnit> units,
        Mat? hairMask,
        Scale? scale,
        RegionOptions options,
        RegionReference reference,
        List<PipelineWarning> warnings,
        FrameColourSource? frameColours,
        CancellationToken ct)
    {
        Mat? regionIds = null;
        try
        {
            if (scale is null)
            {
                warnings.Add(new PipelineWarning("no-scale", "No scale: region areas and densities are reported as fractions and counts only, not mm2 or per cm2."));
            }

            // Colours are converted to Lab from pixel samples, not from a full-frame Lab image.
            var bgr = image.Bgr;
            using var offScalp = new Mat();
            Cv2.Compare(ownedLabels, (double)(byte)RegionClass.OffScalp, offScalp, CmpTypes.EQ);
            using var unclassified = new Mat();
            Cv2.Compare(ownedLabels, (double)(byte)RegionClass.Unclassified, unclassified, CmpTypes.EQ);
            using var analysed = new Mat();
            Cv2.BitwiseOr(offScalp, unclassified, analysed);
            Cv2.BitwiseNot(analysed, analysed);
            long analysedPixels = Cv2.CountNonZero(analysed);
            var totalPixels = (long)ownedLabels.Rows * ownedLabels.Cols;

            using var skin = analysed.Clone();
            if (hairMask is not null)
            {
                using var notHair = new Mat();
                Cv2.BitwiseNot(hairMask, notHair);
                Cv2.BitwiseAnd(skin, notHair, skin);
            }

            // Region counts follow the overall figures' edge rule (CountingRule), so a region
            // covering the whole analysed area reports the overall count.
            IReadOnlyList<HairInstance> countedHairs = CountingRule.CountedHairs(hairs);
            IReadOnlyList<FollicularUnit> countedUnits = [.. CountingRule.CountedUnits(units, hairs).Select(c => c.Unit)];
            var minAreaPixels = MinRegionAreaPixels(options, scale, analysedPixels);
            regionIds = new Mat(ownedLabels.Size(), MatType.CV_32SC1, Scalar.All(-1));
            var regions = new List<ScalpRegion>();
            var summaries = new List<RegionClassSummary>();
            foreach (var cls in ScalpClasses)
            {
                ct.ThrowIfCancellationRequested();
                using var classMask = new Mat();
                Cv2.Compare(ownedLabels, (double)(byte)cls, classMask, CmpTypes.EQ);
                long classPixels = Cv2.CountNonZero(classMask);
                summaries.Add(new RegionClassSummary(
                    cls,
                    classPixels,
                    analysedPixels > 0 ? classPixels / (double)analysedPixels : 0,
                    scale is null ? null : classPixels * scale.SquareMillimetresPerPixel));
                if (classPixels == 0)
                {
                    continue;
                }

                ExtractClass(cls, classMask, bgr, skin, hairMask, countedHairs, countedUnits, scale, options, reference, analysedPixels, minAreaPixels, regions, regionIds, frameColours, ct);
            }

            long offPixels = totalPixels - analysedPixels;
            summaries.Add(new RegionClassSummary(
                RegionClass.OffScalp,
                offPixels,
                totalPixels > 0 ? offPixels / (double)totalPixels : 0,
                scale is null ? null : offPixels * scale.SquareMillimetresPerPixel));

            return new RegionMap(ownedLabels, regionIds, regions, summaries, analysedPixels, reference, scale?.PixelsPerMillimetre, warnings);
        }
        catch
        {
            ownedLabels.Dispose();
            regionIds?.Dispose();
            throw;
        }
    }

    /// <summary>Smallest region reported, in pixels: from mm2 with a scale, else a fraction of the analysed area.</summary>
    internal static int MinRegionAreaPixels(RegionOptions options, Scale? scale, long analysedPixels) =>
        scale is not null
            ? Math.Max(1, (int)Math.Round(options.MinRegionAreaSquareMillimetres / scale.SquareMillimetresPerPixel))
            : Math.Max(1, (int)Math.Round(options.MinRegionAreaFractionWithoutScale * analysedPixels));

    private static void ExtractClass(
        RegionClass cls,
        Mat classMask,
        Mat bgr,
        Mat skin,
        Mat? hairMask,
        IReadOnlyList<HairInstance> hairs,
        IReadOnlyList<FollicularUnit> units,
        Scale? scale,
        RegionOptions options,
        RegionReference reference,
        long analysedPixels,
        int minAreaPixels,
        List<ScalpRegion> regions,
        Mat regionIds,
        FrameColourSource? frameColours,
        CancellationToken ct)
    {
        // Fast path: a class that is one 8-connected piece (the hair-bearing scalp of most frames)
        // needs no component labelling, which took ~10 ms of a full 1280x1024 frame. In CComp mode
        // every component's outer border is a top-level contour (also one inside another's hole),
        // so one top-level contour means one component; its contours are the region's polygons.
        using (var padded = new Mat())
        {
            Cv2.CopyMakeBorder(classMask, padded, 1, 1, 1, 1, BorderTypes.Constant, Scalar.All(0));
            Cv2.FindContours(padded, out var contours, out var hierarchy, RetrievalModes.CComp, ContourApproximationModes.ApproxSimple);
            var top = Enumerable.Range(0, contours.Length).Where(i => hierarchy[i].Parent < 0).ToList();
            if (top.Count == 1)
            {
                var area = Cv2.CountNonZero(classMask);
                if (area >= minAreaPixels)
                {
                    var outerBox = Cv2.BoundingRect(contours[top[0]]);
                    var only = new Rect(outerBox.X - 1, outerBox.Y - 1, outerBox.Width, outerBox.Height);
                    using var compMask = new Mat(classMask, only);
                    var polygons = PolygonsFrom(contours, hierarchy, new Point(0, 0), options.PolygonTolerancePixels);
                    AddRegion(cls, compMask, only, area, polygons, CountPointsIn(classMask, hairs.Select(h => h.Emergence)), CountPointsIn(classMask, units.Select(u => u.Centre)), bgr, skin, hairMask, scale, options, reference, analysedPixels, regions, regionIds, frameColours);
                }

                return;
            }
        }

        // Components are labelled inside the class's bounding box only (most classes cover a small
        // part of the frame); the box starts on even coordinates so that the labeller's 2x2 blocks,
        // and with them the component order, match a whole-frame run.
        var bounds = Cv2.BoundingRect(classMask);
        var box = new Rect(bounds.X & ~1, bounds.Y & ~1, bounds.Right - (bounds.X & ~1), bounds.Bottom - (bounds.Y & ~1));
        using var classBox = new Mat(classMask, box);
        using var cc = new Mat();
        using var stats = new Mat();
        using var centroids = new Mat();
        var n = Cv2.ConnectedComponentsWithStats(classBox, cc, stats, centroids, PixelConnectivity.Connectivity8, MatType.CV_32S);
        var hairCounts = CountPerComponent(cc, box.Location, n, hairs.Select(h => h.Emergence));
        var unitCounts = CountPerComponent(cc, box.Location, n, units.Select(u => u.Centre));
        for (var i = 1; i < n; i++)
        {
            ct.ThrowIfCancellationRequested();
            var area = stats.At<int>(i, (int)ConnectedComponentsTypes.Area);
            if (area < minAreaPixels)
            {
                continue;
            }

            var boxRect = new Rect(
                stats.At<int>(i, (int)ConnectedComponentsTypes.Left),
                stats.At<int>(i, (int)ConnectedComponentsTypes.Top),
                stats.At<int>(i, (int)ConnectedComponentsTypes.Width),
                stats.At<int>(i, (int)ConnectedComponentsTypes.Height));
            var rect = new Rect(boxRect.X + box.X, boxRect.Y + box.Y, boxRect.Width, boxRect.Height);
            using var ccRoi = new Mat(cc, boxRect);
            using var compMask = new Mat();
            Cv2.Compare(ccRoi, (double)i, compMask, CmpTypes.EQ);
            AddRegion(cls, compMask, rect, area, Polygons(compMask, rect.Location, options.PolygonTolerancePixels), hairCounts[i], unitCounts[i], bgr, skin, hairMask, scale, options, reference, analysedPixels, regions, regionIds, frameColours);
        }
    }

    /// <summary>One region's polygons, id pixels and metrics; <paramref name="compMask"/> covers
    /// <paramref name="rect"/> of the frame.</summary>
    private static void AddRegion(
        RegionClass cls,
        Mat compMask,
        Rect rect,
        int area,
        List<RegionPolygon> polygons,
        int hairsIn,
        int unitsIn,
        Mat bgr,
        Mat skin,
        Mat? hairMask,
        Scale? scale,
        RegionOptions options,
        RegionReference reference,
        long analysedPixels,
        List<ScalpRegion> regions,
        Mat regionIds,
        FrameColourSource? frameColours)
    {
        using (var idRoi = new Mat(regionIds, rect))
        {
            idRoi.SetTo(Scalar.All(regions.Count), compMask);
        }

        double? coverage = null;
        if (hairMask is not null)
        {
            using var hairRoi = new Mat(hairMask, rect);
            using var hairIn = new Mat();
            Cv2.BitwiseAnd(hairRoi, compMask, hairIn);
            coverage = Cv2.CountNonZero(hairIn) / (double)area;
        }

        using var skinRoi = new Mat(skin, rect);
        using var skinIn = new Mat();
        Cv2.BitwiseAnd(skinRoi, compMask, skinIn);
        using var bgrRoi = new Mat(bgr, rect);
        var sampler = frameColours?.At(rect.Location, hair: false);
        var colour = LabConversion.SampledMean(bgrRoi, skinIn, sampler) ?? LabConversion.SampledMean(bgrRoi, compMask, sampler) ?? default;

        double? areaMm2 = scale is null ? null : area * scale.SquareMillimetresPerPixel;
        double? areaCm2 = areaMm2 / 100.0;
        var kind = cls == RegionClass.Scar ? ClassifyScar(compMask, area, scale, options) : ScarKind.Unspecified;
        regions.Add(new ScalpRegion(
            regions.Count,
            cls,
            kind,
            polygons,
            area,
            analysedPixels > 0 ? area / (double)analysedPixels : 0,
            areaMm2,
            hairsIn,
            unitsIn,
            areaCm2 is > 0 ? hairsIn / areaCm2 : null,
            areaCm2 is > 0 ? unitsIn / areaCm2 : null,
            coverage,
            reference.FolliclesPerSquarePixel is > 0 ? (reference.CountsFollicularUnits ? unitsIn : hairsIn) / (double)area / reference.FolliclesPerSquarePixel : null,
            colour));
    }

    /// <summary>
    /// Scar kind from shape: elongated (min-area-rectangle aspect &gt;= StripMinElongation) is a
    /// linear strip (FUT); round ones by equivalent diameter: punctate FUE, plug, or
    /// surgical/traumatic (thresholds in <see cref="RegionOptions"/>). Without a scale only the
    /// strip shape can be told; round scars stay unspecified rather than guessing a size.
    /// </summary>
    internal static ScarKind ClassifyScar(Mat compMask, int areaPixels, Scale? scale, RegionOptions options)
    {
        Cv2.FindContours(compMask, out var contours, out _, RetrievalModes.External, ContourApproximationModes.ApproxNone);
        if (contours.Length == 0)
        {
            return ScarKind.Unspecified;
        }

        var largest = contours.OrderByDescending(c => c.Length).First();
        var box = Cv2.MinAreaRect(largest);
        var longSide = Math.Max(box.Size.Width, box.Size.Height) + 1;
        var shortSide = Math.Min(box.Size.Width, box.Size.Height) + 1;
        if (longSide / shortSide >= options.StripMinElongation)
        {
            return ScarKind.LinearStrip;
        }

        if (scale is null)
        {
            return ScarKind.Unspecified;
        }

        var diameterMm = 2.0 * Math.Sqrt(areaPixels / Math.PI) / scale.PixelsPerMillimetre;
        if (diameterMm <= options.PunctateMaxDiameterMillimetres)
        {
            return ScarKind.PunctateFue;
        }

        return diameterMm <= options.PlugMaxDiameterMillimetres ? ScarKind.Plug : ScarKind.SurgicalOrTraumatic;
    }

    private static List<RegionPolygon> Polygons(Mat compMask, Point offset, double tolerance)
    {
        // One-pixel border so contours of components touching the ROI edge stay closed.
        using var padded = new Mat();
        Cv2.CopyMakeBorder(compMask, padded, 1, 1, 1, 1, BorderTypes.Constant, Scalar.All(0));
        Cv2.FindContours(padded, out var contours, out var hierarchy, RetrievalModes.CComp, ContourApproximationModes.ApproxSimple);
        return PolygonsFrom(contours, hierarchy, offset, tolerance);
    }

    /// <summary>Polygons (outer + holes) from CComp contours of a mask padded by one pixel.</summary>
    private static List<RegionPolygon> PolygonsFrom(Point[][] contours, HierarchyIndex[] hierarchy, Point offset, double tolerance)
    {
        var result = new List<RegionPolygon>();
        for (var i = 0; i < contours.Length; i++)
        {
            if (hierarchy[i].Parent >= 0)
            {
                continue;
            }

            var holes = new List<PolygonPixels>();
            for (var h = hierarchy[i].Child; h >= 0; h = hierarchy[h].Next)
            {
                holes.Add(ToPolygon(contours[h], offset, tolerance));
            }

            result.Add(new RegionPolygon(ToPolygon(contours[i], offset, tolerance), holes));
        }

        return result;
    }

    private static PolygonPixels ToPolygon(Point[] contour, Point offset, double tolerance)
    {
        var simplified = contour.Length > 4 ? Cv2.ApproxPolyDP(contour, tolerance, true) : contour;
        return new PolygonPixels(simplified.Select(p => new PointPixels(p.X - 1 + offset.X, p.Y - 1 + offset.Y)).ToArray());
    }

    private static int[] CountPerComponent(Mat cc, Point origin, int n, IEnumerable<PointPixels> points)
    {
        var counts = new int[n];
        foreach (var p in points)
        {
            var x = (int)Math.Floor(p.X) - origin.X;
            var y = (int)Math.Floor(p.Y) - origin.Y;
            if (x >= 0 && y >= 0 && x < cc.Cols && y < cc.Rows)
            {
                var id = cc.At<int>(y, x);
                if (id > 0 && id < n)
                {
                    counts[id]++;
                }
            }
        }

        return counts;
    }

    internal static int CountPointsIn(Mat mask, IEnumerable<PointPixels> points)
    {
        var count = 0;
        foreach (var p in points)
        {
            var x = (int)Math.Floor(p.X);
            var y = (int)Math.Floor(p.Y);
            if (x >= 0 && y >= 0 && x < mask.Cols && y < mask.Rows && mask.At<byte>(y, x) != 0)
            {
                count++;
            }
        }

        return count;
    }

    internal static void CheckGeometry(ScalpImage image, Mat m, string name)
    {
        if (m.Type() != MatType.CV_8UC1 || m.Cols != image.WidthPixels || m.Rows != image.HeightPixels)
        {
            throw new ArgumentException($"{name} must be 8UC1 of the image size {image.WidthPixels}x{image.HeightPixels}.", name);
        }
    }

    internal static void ThrowIfInvalid(RegionOptions options)
    {
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid RegionOptions: " + string.Join(" ", errors), nameof(options));
        }
    }
}
