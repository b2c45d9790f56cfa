using SmpVision.Pipeline.Analysis;

namespace SmpVision.Pipeline.Calibration;

/// <summary>
/// Turns what the caller said about scale into a <see cref="Scale"/>: a measured px/mm wins,
/// then a configured device profile (px/mm proportional to magnification). Returns null when the
/// caller gave neither; later stages may then detect a scale bar or marker.
/// </summary>
public static class ScaleResolver
{
    /// <summary>Default relative uncertainty of a caller-measured px/mm (5%).</summary>
    public const double DefaultRequestUncertainty = 0.05;

    /// <summary>Resolves the scale; throws <see cref="InvalidRequestException"/> naming the field for unknown devices or bad values.</summary>
    public static Scale? Resolve(ScaleRequest? request, IReadOnlyDictionary<string, DeviceProfile> profiles, ScaleLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        limits ??= new ScaleLimits();
        if (request is null)
        {
            return null;
        }

        if (request.PixelsPerMillimetre is { } ppmm)
        {
            limits.CheckAny(ppmm, "options.scale.pixels_per_millimetre");

            var u = request.RelativeUncertainty ?? DefaultRequestUncertainty;
            return new Scale(ppmm, ScaleSource.Request, u, $"{ppmm:0.###} px/mm given by the request");
        }

        if (!string.IsNullOrEmpty(request.DeviceId))
        {
            if (!profiles.TryGetValue(request.DeviceId, out var profile))
            {
                throw new InvalidRequestException("options.scale.device.device_id", $"Unknown device '{Quote(request.DeviceId)}'. Configured devices: {string.Join(", ", profiles.Keys.Order(StringComparer.Ordinal))}. Add it under SmpVision:DeviceProfiles or send pixels_per_millimetre.");
            }

            var magnification = request.Magnification ?? profile.ReferenceMagnification;
            if (!(magnification > 0 && magnification < 10_000))
            {
                throw new InvalidRequestException("options.scale.device.magnification", $"magnification must be positive (got {magnification}).");
            }

            var px = profile.PixelsPerMillimetre * magnification / profile.ReferenceMagnification;
            limits.CheckAny(px, "options.scale.device.magnification");
            return new Scale(px, ScaleSource.DeviceProfile, request.RelativeUncertainty ?? profile.RelativeUncertainty, $"device profile '{request.DeviceId}' at {magnification:0.##}x ({px:0.#} px/mm)");
        }

        return null;
    }

    /// <summary>At most 64 characters of caller text go into a message: errors travel in trailers, which have a size limit.</summary>
    private static string Quote(string text) => text.Length <= 64 ? text : string.Concat(text.AsSpan(0, 61), "...");
}
