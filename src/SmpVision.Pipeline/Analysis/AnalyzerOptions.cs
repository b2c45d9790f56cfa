using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Imaging;

namespace SmpVision.Pipeline.Analysis;

/// <summary>
/// Every option of the analysis pipeline, one validated record per stage. The service binds it
/// from configuration (section "SmpVision:Pipeline") and validates it at start.
/// </summary>
public sealed record AnalyzerOptions
{
    /// <summary>Decoding limits.</summary>
    public DecodingOptions Decoding { get; init; } = new();

    /// <summary>The "is this a scalp photo" gate.</summary>
    public PlausibilityOptions Plausibility { get; init; } = new();

    /// <summary>Device profiles by id; defaults to <see cref="DeviceProfile.BuiltIn"/> plus configured ones.</summary>
    public IReadOnlyDictionary<string, DeviceProfile> DeviceProfiles { get; init; } = DeviceProfile.BuiltIn;

    /// <summary>Returns all configuration errors, empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        errors.AddRange(Decoding.Validate());
        errors.AddRange(Plausibility.Validate());
        foreach (var (id, profile) in DeviceProfiles)
        {
            errors.AddRange(profile.Validate(id));
        }

        return errors;
    }
}
