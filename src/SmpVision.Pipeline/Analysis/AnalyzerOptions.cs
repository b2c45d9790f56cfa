using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Comparison;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.ModalityDetection;
using SmpVision.Pipeline.Overhead;
using SmpVision.Pipeline.Planning;
using SmpVision.Pipeline.Regions;

namespace SmpVision.Pipeline.Analysis;

/// <summary>
/// Every option of the analysis pipeline, one validated record per stage, each default
/// documented (and cited) where it is declared. The service binds it from configuration
/// (section "SmpVision:Pipeline") and validates it at start; requests override the planning ones.
/// </summary>
public sealed record AnalyzerOptions
{
    /// <summary>Decoding limits.</summary>
    public DecodingOptions Decoding { get; init; } = new();

    /// <summary>The "is this a scalp photo" gate.</summary>
    public PlausibilityOptions Plausibility { get; init; } = new();

    /// <summary>Modality detection.</summary>
    public ModalityOptions Modality { get; init; } = new();

    /// <summary>Trichoscopy measurement (masking, segmentation, instances, colour, quality).</summary>
    public TrichoscopyOptions Trichoscopy { get; init; } = new();

    /// <summary>Overhead photo analysis.</summary>
    public OverheadOptions Overhead { get; init; } = new();

    /// <summary>Region map.</summary>
    public RegionOptions Regions { get; init; } = new();

    /// <summary>SMP planning defaults (a request overrides reference, sessions and feathering).</summary>
    public PlanningOptions Planning { get; init; } = new();

    /// <summary>Before/after registration.</summary>
    public RegistrationOptions Registration { get; init; } = new();

    /// <summary>Before/after change statistics.</summary>
    public ChangeOptions Change { get; init; } = new();

    /// <summary>Plausible caller scales per modality.</summary>
    public ScaleLimits ScaleLimits { get; init; } = new();

    /// <summary>Device profiles by id; defaults to <see cref="DeviceProfile.BuiltIn"/> plus configured ones.</summary>
    public IReadOnlyDictionary<string, DeviceProfile> DeviceProfiles { get; init; } = DeviceProfile.BuiltIn;

    /// <summary>Returns all configuration errors, each prefixed by its stage; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        errors.AddRange(Decoding.Validate().Select(e => "Decoding: " + e));
        errors.AddRange(Plausibility.Validate().Select(e => "Plausibility: " + e));
        errors.AddRange(Modality.Validate().Select(e => "Modality: " + e));
        errors.AddRange(Trichoscopy.Validate().Select(e => "Trichoscopy: " + e));
        errors.AddRange(Overhead.Validate().Select(e => "Overhead: " + e));
        errors.AddRange(Regions.Validate().Select(e => "Regions: " + e));
        errors.AddRange(Planning.Validate().Select(e => "Planning: " + e));
        errors.AddRange(Registration.Validate().Select(e => "Registration: " + e));
        errors.AddRange(Change.Validate().Select(e => "Change: " + e));
        errors.AddRange(ScaleLimits.Validate().Select(e => "ScaleLimits: " + e));
        foreach (var (id, profile) in DeviceProfiles)
        {
            errors.AddRange(profile.Validate(id));
        }

        return errors;
    }
}
