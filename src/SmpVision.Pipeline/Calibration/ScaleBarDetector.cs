using OpenCvSharp;
using SmpVision.Pipeline.Segmentation;

namespace SmpVision.Pipeline.Calibration;

/// <summary>Options of <see cref="ScaleBarDetector"/>.</summary>
public sealed record ScaleBarOptions
{
    /// <summary>Physical length of the printed bar. Default 1.0 mm, the "1.0 mm" bar of the dev device (shared/data/README.md).</summary>
    public double BarLengthMillimetres { get; init; } = 1.0;

    /// <summary>
    /// Smallest relative uncertainty reported for a bar scale. Default 0.15: the dev device's
    /// capture software notes that its calibration was not applied, so the bar is only good to
    /// about +/-15% (shared/data/README.md).
    /// </summary>
    public double MinRelativeUncertainty { get; init; } = 0.15;

    /// <summary>The label box must lie within this many pixels of a bar end. Default 100.</summary>
    public int LabelMaxGapPixels { get; init; } = 100;

    /// <summary>Returns the problems with these options; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (BarLengthMillimetres <= 0) errors.Add("BarLengthMillimetres must be > 0.");
        if (MinRelativeUncertainty is < 0 or >= 1) errors.Add("MinRelativeUncertainty must be in [0, 1).");
        if (LabelMaxGapPixels < 0) errors.Add("LabelMaxGapPixels must be >= 0.");
        return errors;
    }
}

/// <summary>
/// Detects a printed scale bar: a thin straight horizontal drawn line with a flat text label box
/// at one end (as the "1.0 mm" bar of the dev frames). Measures pixels per millimetre as bar
/// length over its printed length, with an uncertainty of at least the line's end-point error
/// and the configured floor. Does not read the label text: the printed length is an option.
/// </summary>
internal static class ScaleBarDetector
{
    public static Scale? Detect(IReadOnlyList<HorizontalLineSegment> lines, IReadOnlyList<VerticalLineSegment> verticalLines, IReadOnlyList<Rect> labelBoxes, ScaleBarOptions o)
    {
        ArgumentNullException.ThrowIfNull(verticalLines);
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(labelBoxes);
        ArgumentNullException.ThrowIfNull(o);
        HorizontalLineSegment? best = null;
        foreach (var line in lines)
        {
            bool labelled = labelBoxes.Any(b => NearEnd(b, line, o.LabelMaxGapPixels));
            if (labelled && (best is null || line.LengthPixels > best.LengthPixels))
            {
                best = line;
            }
        }

        if (best is null)
        {
            return null;
        }

        // An L-shaped bar: a hair crossing the horizontal arm can break it, so its left end is the
        // upright arm's column when one stands on it; equal arms are averaged.
        double length = best.LengthPixels;
        int slack = best.ThicknessPixels + 4;
        var upright = verticalLines
            .Where(v => Math.Abs(v.Y1Pixels - best.YPixels) <= slack && v.XPixels <= best.X0Pixels + slack)
            .OrderBy(v => Math.Abs(v.XPixels - best.X0Pixels))
            .FirstOrDefault();
        if (upright is not null)
        {
            length = best.X1Pixels - upright.XPixels + 1;
            if (Math.Abs(upright.LengthPixels - length) <= 0.1 * length)
            {
                length = 0.5 * (length + upright.LengthPixels);
            }
        }

        double ppm = length / o.BarLengthMillimetres;
        // End points are known to about one line thickness each.
        double endError = (best.ThicknessPixels + 1.0) / length;
        double unc = Math.Max(o.MinRelativeUncertainty, endError);
        return new Scale(ppm, ScaleSource.ScaleBar, unc, $"scale bar {length:F0} px = {o.BarLengthMillimetres} mm");
    }

    private static bool NearEnd(Rect box, HorizontalLineSegment line, int gap)
    {
        bool rowsOverlap = line.YPixels >= box.Top - gap && line.YPixels <= box.Bottom + gap;
        if (!rowsOverlap)
        {
            return false;
        }

        bool nearRight = Math.Abs(box.Left - line.X1Pixels) <= gap || (box.Left <= line.X1Pixels && box.Right >= line.X1Pixels);
        bool nearLeft = Math.Abs(box.Right - line.X0Pixels) <= gap || (box.Left <= line.X0Pixels && box.Right >= line.X0Pixels);
        return nearRight || nearLeft;
    }
}
