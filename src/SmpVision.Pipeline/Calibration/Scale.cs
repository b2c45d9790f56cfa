namespace SmpVision.Pipeline.Calibration;

/// <summary>Where a physical scale came from.</summary>
public enum ScaleSource
{
    /// <summary>No scale: measurements are reported as fractions and counts only, never mm.</summary>
    None = 0,
    /// <summary>The caller gave pixels per millimetre.</summary>
    Request = 1,
    /// <summary>A configured device profile (pixels per mm at a reference magnification).</summary>
    DeviceProfile = 2,
    /// <summary>A scale bar printed on the frame (e.g. "1.0 mm"), detected in the image.</summary>
    ScaleBar = 3,
    /// <summary>A printed marker of known size (ArUco) detected in the frame.</summary>
    Marker = 4,
}

/// <summary>
/// A physical image scale: pixels per millimetre, where it came from, and its relative
/// uncertainty (1 sigma, as a fraction: 0.15 means +/-15%).
/// </summary>
public sealed record Scale(double PixelsPerMillimetre, ScaleSource Source, double RelativeUncertainty, string Description)
{
    /// <summary>Square millimetres covered by one pixel.</summary>
    public double SquareMillimetresPerPixel => 1.0 / (PixelsPerMillimetre * PixelsPerMillimetre);

    /// <summary>Micrometres per pixel.</summary>
    public double MicrometresPerPixel => 1000.0 / PixelsPerMillimetre;

    /// <summary>Converts a pixel count to square centimetres.</summary>
    public double PixelsToSquareCentimetres(double pixelCount) => pixelCount * SquareMillimetresPerPixel / 100.0;
}
