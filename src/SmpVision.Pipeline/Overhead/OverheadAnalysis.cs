using System.Diagnostics;
using OpenCvSharp;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Overhead;

/// <summary>
/// Whole-head photo analysis: marker scale, head/background separation
/// (<see cref="HeadSegmenter"/>), hair/bare-scalp classification (<see cref="HairClassifier"/>),
/// bald fraction, zones and hairline (<see cref="ScalpZones"/>). Works on a copy reduced to
/// <see cref="OverheadOptions.WorkingLongSidePixels"/> and scales the labels back up, so a
/// 12-MP photo costs about what a 0.3-MP one does.
/// </summary>
internal static class OverheadAnalysis
{
    internal static OverheadResult Run(ScalpImage image, OverheadOptions options, CancellationToken ct) => Run(image, options, null, ct);

    /// <summary>Analyses one overhead photo with the request's view, face direction and clinician polygons.</summary>
    internal static OverheadResult Run(ScalpImage image, OverheadOptions options, OverheadRequest? request, CancellationToken ct)
    {
        request ??= new OverheadRequest();
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid overhead options: " + string.Join(" ", errors), nameof(options));
        }

        var timings = new List<StageTiming>();
        var warnings = new List<PipelineWarning>();
        var clock = Stopwatch.StartNew();
        void Lap(string stage)
        {
            timings.Add(new StageTiming(stage, clock.Elapsed.TotalMilliseconds));
            clock.Restart();
            ct.ThrowIfCancellationRequested();
        }

        var bgr = image.Bgr;
        var fullSize = bgr.Size();

        // One area-resize of the full photo to the marker search size; the working copy is made from it (cheap).
        double toWorking = Math.Min(1.0, options.WorkingLongSidePixels / (double)Math.Max(fullSize.Width, fullSize.Height));
        double toReduced = options.Marker is null ? toWorking : Math.Max(toWorking, Math.Min(1.0, options.Marker.SearchLongSidePixels / (double)Math.Max(fullSize.Width, fullSize.Height)));
        using var reduced = new Mat();
        if (toReduced < 1.0)
        {
            Cv2.Resize(bgr, reduced, new Size(), toReduced, toReduced, InterpolationFlags.Area);
        }
        else
        {
            bgr.CopyTo(reduced);
        }

        var workingSize = new Size(Math.Max(16, (int)Math.Round(fullSize.Width * toWorking)), Math.Max(16, (int)Math.Round(fullSize.Height * toWorking)));
        double toFull = fullSize.Width / (double)workingSize.Width;
        using var working = new Mat();
        Cv2.Resize(reduced, working, workingSize, 0, 0, InterpolationFlags.Area);
        Lap("resize");

        DetectedMarker? marker = options.Marker is null ? null : MarkerScale.FindInReduced(reduced, reduced.Cols / (double)fullSize.Width, options.Marker);
        Scale? scale = marker is null ? null : MarkerScale.ToScale(marker, options.Marker!);
        if (scale is null)
        {
            warnings.Add(new PipelineWarning("no-scale",
                "No printed marker found: results are fractions of the scalp, not cm2. Print ArUco DICT_4X4_50 id 0 at 30 mm and place it at scalp height."));
        }

        Lap("marker");

        using var headWorking = HeadSegmenter.Segment(working, options, ct);
        using var scalpWorking = headWorking.Clone();
        if (marker is not null)
        {
            // The marker is not scalp even when it lies on the head.
            var quad = marker.Corners.Select(p => new Point(p.X / toFull, p.Y / toFull)).ToArray();
            Cv2.FillConvexPoly(scalpWorking, quad, Scalar.All(0));
        }

        Lap("head-segmentation");
        // The clinician's treatment areas are scalp whatever the automatic boundary says.
        foreach (var area in request.TreatmentAreas ?? [])
        {
            Cv2.FillPoly(scalpWorking, [ToWorking(area, toFull)], Scalar.All(255));
        }

        double headFraction = Cv2.CountNonZero(headWorking) / (double)(workingSize.Width * workingSize.Height);
        if (headFraction < 0.1)
        {
            warnings.Add(new PipelineWarning("small-head", $"The head covers only {headFraction:P0} of the frame: move the camera closer, head centred."));
        }

        if (ClippedAtBorder(headWorking) > 0.25)
        {
            warnings.Add(new PipelineWarning("head-cut-by-frame", "A quarter or more of the head outline touches the frame edge: part of the scalp may be outside the photo."));
        }

        using var maps = HairClassifier.Classify(working, scalpWorking, options, ct);
        if (!maps.ReferenceFromBareScalp)
        {
            warnings.Add(new PipelineWarning("no-bare-scalp-reference",
                "No bare scalp was visible to learn this photo's skin colour; a generic reference was used."));
        }

        Lap("hair-classification");

        var orientation = HeadOrientation.Resolve(working, headWorking, maps.Labels, options, request, ct);
        using (var faceWorking = orientation.TakeFaceMask())
        {
            RemoveFromScalp(scalpWorking, maps.Labels, faceWorking, request, toFull);
        }

        warnings.AddRange(orientation.Warnings);
        var baldSkin = HairClassifier.BaldSkinColour(working, maps);
        int scalpPixels = Cv2.CountNonZero(scalpWorking);
        Lap("orientation");

        int hairBearing = 0, thinning = 0, hairless = 0;
        var rows = maps.Labels.AsRows<byte>();
        int rowCount = maps.Labels.Rows, colCount = maps.Labels.Cols;
        for (int y = 0; y < rowCount; y++)
        {
            var r = rows[y];
            for (int x = 0; x < colCount; x++)
            {
                switch ((RegionClass)r[x])
                {
                    case RegionClass.HairBearing: hairBearing++; break;
                    case RegionClass.Thinning: thinning++; break;
                    case RegionClass.Hairless: hairless++; break;
                }
            }
        }

        double denominator = Math.Max(1, scalpPixels);
        double meanCoverage = scalpPixels == 0 ? 0 : Math.Min(1.0, Cv2.Mean(maps.Coverage, scalpWorking).Val0);
        IReadOnlyList<OverheadZone> zones = orientation.View == OverheadView.TopDown
            ? ScalpZones.Zones(maps.Labels, scalpWorking, orientation.Front, toFull)
            : [];
        // A hairline exists on top views (toward the face) and front views (face below the scalp).
        var hairline = orientation.View is OverheadView.TopDown or OverheadView.Frontal
            ? ScalpZones.Hairline(maps.Labels, scalpWorking, orientation.Front, toFull)
            : null;

        Lap("zones");

        var labels = new Mat();
        Cv2.Resize(maps.Labels, labels, fullSize, 0, 0, InterpolationFlags.Nearest);
        var headMask = new Mat();
        Cv2.Resize(headWorking, headMask, fullSize, 0, 0, InterpolationFlags.Nearest);
        var scalpMask = new Mat();
        Cv2.Resize(scalpWorking, scalpMask, fullSize, 0, 0, InterpolationFlags.Nearest);
        Lap("upscale");

        double? scalpCm2 = null, baldCm2 = null;
        if (scale is not null)
        {
            double fullPixelsPerWorkingPixel = toFull * toFull;
            scalpCm2 = scale.PixelsToSquareCentimetres(scalpPixels * fullPixelsPerWorkingPixel);
            baldCm2 = scale.PixelsToSquareCentimetres(hairless * fullPixelsPerWorkingPixel);
        }

        return new OverheadResult(labels, headMask, scalpMask)
        {
            BaldFractionOfScalp = hairless / denominator,
            HairBearingFraction = hairBearing / denominator,
            ThinningFraction = thinning / denominator,
            MeanHairCoverage = meanCoverage,
            HeadFractionOfFrame = headFraction,
            Scale = scale,
            ScalpAreaSquareCentimetres = scalpCm2,
            BaldAreaSquareCentimetres = baldCm2,
            BareScalpColour = maps.BareScalpColour,
            BaldScalpSkinColour = baldSkin,
            View = orientation.View,
            ViewDetected = orientation.ViewDetected,
            Front = orientation.Front,
            FrontDetected = orientation.FrontDetected,
            OrientationConfidence = orientation.Confidence,
            FaceFractionOfFrame = orientation.FaceFractionOfFrame,
            TreatmentBoundary = TreatmentBoundary(scalpWorking, request, toFull),
            HairColour = maps.HairColour,
            HairlineContour = hairline,
            Zones = zones,
            Warnings = warnings,
            Timings = timings,
        };
    }

    /// <summary>
    /// Takes the face (except where the clinician drew a treatment area) and the clinician's
    /// exclusions out of the scalp: they become off-scalp in the labels (working scale).
    /// </summary>
    private static void RemoveFromScalp(Mat scalpWorking, Mat labels, Mat? faceWorking, OverheadRequest request, double toFull)
    {
        using var remove = new Mat(scalpWorking.Size(), MatType.CV_8UC1, Scalar.All(0));
        if (faceWorking is not null)
        {
            faceWorking.CopyTo(remove);
            foreach (var area in request.TreatmentAreas ?? [])
            {
                Cv2.FillPoly(remove, [ToWorking(area, toFull)], Scalar.All(0));
            }
        }

        foreach (var exclusion in request.Exclusions ?? [])
        {
            Cv2.FillPoly(remove, [ToWorking(exclusion, toFull)], Scalar.All(255));
        }

        scalpWorking.SetTo(Scalar.All(0), remove);
        labels.SetTo(Scalar.All((int)RegionClass.OffScalp), remove);
    }

    private static Point[] ToWorking(PolygonPixels polygon, double toFull) =>
        polygon.Vertices.Select(v => new Point((int)Math.Round(v.X / toFull), (int)Math.Round(v.Y / toFull))).ToArray();

    /// <summary>The boundary the plan works in: the clinician's treatment areas, else the scalp outline(s).</summary>
    private static IReadOnlyList<PolygonPixels> TreatmentBoundary(Mat scalpWorking, OverheadRequest request, double toFull)
    {
        if (request.TreatmentAreas is { Count: > 0 } areas)
        {
            return areas;
        }

        Cv2.FindContours(scalpWorking, out Point[][] contours, out _, RetrievalModes.External, ContourApproximationModes.ApproxSimple);
        return contours.Where(c => c.Length >= 3 && Cv2.ContourArea(c) > 16)
            .Select(c => new PolygonPixels(Cv2.ApproxPolyDP(c, 1.0, true).Select(p => new PointPixels(p.X * toFull, p.Y * toFull)).ToArray()))
            .Where(p => p.Vertices.Count >= 3)
            .ToArray();
    }

    /// <summary>Share of the mask's outline pixels that lie on the frame border.</summary>
    private static double ClippedAtBorder(Mat mask)
    {
        Cv2.FindContours(mask, out Point[][] contours, out _, RetrievalModes.External, ContourApproximationModes.ApproxNone);
        int total = 0, border = 0;
        foreach (var c in contours)
        {
            foreach (var p in c)
            {
                total++;
                if (p.X <= 0 || p.Y <= 0 || p.X >= mask.Cols - 1 || p.Y >= mask.Rows - 1)
                {
                    border++;
                }
            }
        }

        return total == 0 ? 0 : border / (double)total;
    }
}
