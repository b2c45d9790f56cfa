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
    internal static OverheadResult Run(ScalpImage image, OverheadOptions options, CancellationToken ct)
    {
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

        int scalpPixels = Cv2.CountNonZero(scalpWorking);
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
        IReadOnlyList<OverheadZone> zones = options.View == OverheadView.TopDown
            ? ScalpZones.Zones(maps.Labels, scalpWorking, options.Front, toFull)
            : [];
        var hairline = ScalpZones.Hairline(maps.Labels, scalpWorking, options.Front, toFull);
        if (options.View == OverheadView.TopDown)
        {
            warnings.Add(new PipelineWarning("front-assumed", $"Zones and hairline assume the forehead points {options.Front} in the image."));
        }

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
            HairColour = maps.HairColour,
            HairlineContour = hairline,
            Zones = zones,
            Warnings = warnings,
            Timings = timings,
        };
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
