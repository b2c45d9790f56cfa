namespace SmpVision.Pipeline.Calibration;

/// <summary>
/// A capture device's calibration: pixels per millimetre at a reference magnification. The scale
/// at another magnification is proportional to it (optical magnification scales the image).
/// </summary>
public sealed record DeviceProfile
{
    /// <summary>Pixels per mm at <see cref="ReferenceMagnification"/>.</summary>
    public double PixelsPerMillimetre { get; init; }

    /// <summary>Magnification at which <see cref="PixelsPerMillimetre"/> was measured (e.g. 70 for 70x).</summary>
    public double ReferenceMagnification { get; init; }

    /// <summary>Relative 1-sigma uncertainty of the calibration (0.05 = 5%).</summary>
    public double RelativeUncertainty { get; init; } = 0.05;

    /// <summary>Free text: device model and how it was calibrated.</summary>
    public string Description { get; init; } = "";

    /// <summary>Built-in profiles, each from docs/DOMAIN-SOURCES.md (Imaging modalities). A clinic adds its own in configuration.</summary>
    public static IReadOnlyDictionary<string, DeviceProfile> BuiltIn { get; } = new Dictionary<string, DeviceProfile>(StringComparer.OrdinalIgnoreCase)
    {
        // The dev set's hospital trichoscope: ~361 px/mm at 70x, read off its printed 1.0 mm bar;
        // its software notes calibration was not applied, hence +/-15% (shared/data README).
        ["trichoscope-70x"] = new() { PixelsPerMillimetre = 361, ReferenceMagnification = 70, RelativeUncertainty = 0.15, Description = "70x hospital trichoscope, 1280x1024 (docs/DOMAIN-SOURCES.md)" },
        // A commercial phototrichogram system stores 187 px/mm at 15x (docs/DOMAIN-SOURCES.md).
        ["phototrichogram-15x"] = new() { PixelsPerMillimetre = 187, ReferenceMagnification = 15, RelativeUncertainty = 0.05, Description = "commercial phototrichogram at 15x (docs/DOMAIN-SOURCES.md)" },
    };

    /// <summary>Returns the configuration errors of this profile, empty when valid.</summary>
    public IReadOnlyList<string> Validate(string id)
    {
        var errors = new List<string>();
        if (!(PixelsPerMillimetre > 0 && PixelsPerMillimetre < 100_000))
        {
            errors.Add($"Device profile '{id}': {nameof(PixelsPerMillimetre)} must be in (0, 100000).");
        }

        if (!(ReferenceMagnification > 0))
        {
            errors.Add($"Device profile '{id}': {nameof(ReferenceMagnification)} must be positive.");
        }

        if (!(RelativeUncertainty >= 0 && RelativeUncertainty < 1))
        {
            errors.Add($"Device profile '{id}': {nameof(RelativeUncertainty)} must be in [0, 1).");
        }

        return errors;
    }
}
