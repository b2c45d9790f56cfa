using OpenCvSharp;
using OpenCvSharp.Aruco;

namespace SmpVision.Pipeline.Calibration;

/// <summary>A detected marker: id and its four corners in full-image pixels (clockwise from top-left of the marker).</summary>
internal sealed record DetectedMarker(int Id, Point2f[] Corners, double MeanSidePixels);

/// <summary>
/// Finds the printed ArUco marker (<see cref="MarkerOptions"/>) and turns its side length into a
/// <see cref="Scale"/> with <see cref="ScaleSource.Marker"/>. Pixels per mm = mean of the four
/// side lengths in pixels / printed side in mm; the search runs on a reduced copy for speed and
/// the corners are scaled back.
/// </summary>
internal static class MarkerScale
{
    /// <summary>Finds the marker; null when none of the wanted id is seen.</summary>
    internal static DetectedMarker? Find(Mat bgr, MarkerOptions options)
    {
        ArgumentNullException.ThrowIfNull(bgr);
        ArgumentNullException.ThrowIfNull(options);
        double scale = Math.Min(1.0, options.SearchLongSidePixels / (double)Math.Max(bgr.Cols, bgr.Rows));
        if (scale >= 1.0)
        {
            return FindInReduced(bgr, 1.0, options);
        }

        using var reduced = new Mat();
        Cv2.Resize(bgr, reduced, new Size(), scale, scale, InterpolationFlags.Area);
        return FindInReduced(reduced, scale, options);
    }

    /// <summary>
    /// Finds the marker in an already reduced copy (<paramref name="scale"/> = reduced / full size);
    /// corners and side come back in full-image pixels.
    /// </summary>
    internal static DetectedMarker? FindInReduced(Mat reducedBgr, double scale, MarkerOptions options)
    {
        ArgumentNullException.ThrowIfNull(reducedBgr);
        ArgumentNullException.ThrowIfNull(options);
        using var search = new Mat();
        Cv2.CvtColor(reducedBgr, search, ColorConversionCodes.BGR2GRAY);
        using var dictionary = CvAruco.GetPredefinedDictionary(PredefinedDictionaryType.Dict4X4_50);
        var parameters = new DetectorParameters();
        using var detector = new ArucoDetector(dictionary, parameters, new RefineParameters());
        detector.DetectMarkers(search, out var corners, out var ids, out _);

        DetectedMarker? best = null;
        for (int i = 0; i < ids.Length; i++)
        {
            if (options.MarkerId >= 0 && ids[i] != options.MarkerId)
            {
                continue;
            }

            var c = corners[i];
            double side = 0;
            for (int k = 0; k < 4; k++)
            {
                var a = c[k];
                var b = c[(k + 1) % 4];
                side += Math.Sqrt(((a.X - b.X) * (a.X - b.X)) + ((a.Y - b.Y) * (a.Y - b.Y))) / 4.0;
            }

            if (side < options.MinSidePixels || (best is not null && side * (1 / scale) <= best.MeanSidePixels))
            {
                continue;
            }

            var full = c.Select(p => new Point2f((float)(p.X / scale), (float)(p.Y / scale))).ToArray();
            best = new DetectedMarker(ids[i], full, side / scale);
        }

        return best;
    }

    /// <summary>The scale a detected marker gives.</summary>
    internal static Scale ToScale(DetectedMarker marker, MarkerOptions options) =>
        new(marker.MeanSidePixels / options.SideLengthMillimetres, ScaleSource.Marker, options.RelativeUncertainty,
            $"ArUco DICT_4X4_50 id {marker.Id}, side {options.SideLengthMillimetres} mm = {marker.MeanSidePixels:F1} px");
}
