using SmpVision.Pipeline.Analysis;
using V1 = SmpVision.Contracts.V1;
using PipelineModality = SmpVision.Pipeline.Model.Modality;
using PipelineZone = SmpVision.Pipeline.Model.ScalpZone;

namespace SmpVision.Service.Mapping;

/// <summary>
/// Maps API options to the pipeline's request, validating each field and naming it in the error
/// (as the client sees it, e.g. "options.planning.session_number").
/// </summary>
internal static class RequestMapper
{
    /// <summary>Longest device profile id accepted; ids are short configuration keys.</summary>
    public const int MaxDeviceIdLength = 64;

    public static AnalysisRequest ToPipeline(V1.AnalysisOptions? options, string prefix = "options")
    {
        options ??= new V1.AnalysisOptions();
        var planning = options.Planning ?? new V1.PlanningOptions();
        var output = options.Output ?? new V1.OutputOptions();

        if (!Enum.IsDefined(options.Modality))
        {
            throw new InvalidRequestException($"{prefix}.modality", $"Unknown modality value {(int)options.Modality}. Use MODALITY_TRICHOSCOPY, MODALITY_OVERHEAD or MODALITY_AUTO_DETECT.");
        }

        if (!Enum.IsDefined(options.Zone))
        {
            throw new InvalidRequestException($"{prefix}.zone", $"Unknown scalp zone value {(int)options.Zone}.");
        }

        if (planning.HasReferenceFollicularUnitsPerSquareCentimetre && planning.ReferenceFollicularUnitsPerSquareCentimetre is not (> 0 and <= 300))
        {
            throw new InvalidRequestException($"{prefix}.planning.reference_follicular_units_per_square_centimetre", $"Reference density must be in (0, 300] FU/cm2 (normal scalps have 65-110, docs/DOMAIN-SOURCES.md); got {planning.ReferenceFollicularUnitsPerSquareCentimetre}.");
        }

        if (planning.ForceReferenceOverride && !planning.HasReferenceFollicularUnitsPerSquareCentimetre)
        {
            throw new InvalidRequestException($"{prefix}.planning.force_reference_override", "force_reference_override needs reference_follicular_units_per_square_centimetre.");
        }

        var fractions = planning.SessionCumulativeFractions;
        if (fractions.Count > 0)
        {
            var ascending = fractions.Zip(fractions.Skip(1), (a, b) => b > a).All(x => x);
            if (fractions.Count > 10 || !ascending || fractions[0] <= 0 || Math.Abs(fractions[^1] - 1.0) > 1e-9)
            {
                throw new InvalidRequestException($"{prefix}.planning.session_cumulative_fractions", "Session fractions must be ascending, above 0, end at 1.0 and number at most 10 (e.g. 0.3, 0.7, 1.0).");
            }
        }


        if (planning.HasHairlineFeatherWidthMillimetres && planning.HairlineFeatherWidthMillimetres is not (>= 0 and <= 50))
        {
            throw new InvalidRequestException($"{prefix}.planning.hairline_feather_width_millimetres", "Feather width must be between 0 and 50 mm.");
        }

        return new AnalysisRequest
        {
            Modality = options.Modality switch
            {
                V1.Modality.Trichoscopy => PipelineModality.Trichoscopy,
                V1.Modality.Overhead => PipelineModality.Overhead,
                _ => PipelineModality.Unknown,
            },
            Scale = ToScale(options.Scale, $"{prefix}.scale"),
            Zone = (PipelineZone)(int)options.Zone,
            ReferenceFollicularUnitsPerSquareCentimetre = planning.HasReferenceFollicularUnitsPerSquareCentimetre ? planning.ReferenceFollicularUnitsPerSquareCentimetre : null,
            ForceReferenceOverride = planning.ForceReferenceOverride,
            SessionNumber = planning.SessionNumber == 0 ? 1 : (int)planning.SessionNumber,
            SessionCumulativeFractions = fractions.Count > 0 ? fractions.ToArray() : null,
            HairlineFeatherWidthMillimetres = planning.HasHairlineFeatherWidthMillimetres ? planning.HairlineFeatherWidthMillimetres : null,
            HairlineEdge = planning.HairlineEdge == V1.HairlineEdge.Unspecified ? null : (ImageEdge)(int)planning.HairlineEdge,
            Output = new OutputRequest(output.ReturnLabelMap, output.ReturnDotLayout, output.ReturnPreviewImage, output.ReturnHairs),
        };
    }

    public static ScaleRequest? ToScale(V1.ScaleOptions? scale, string field)
    {
        if (scale is null)
        {
            return null;
        }

        if (scale.HasRelativeUncertainty && scale.RelativeUncertainty is not (>= 0 and < 1))
        {
            throw new InvalidRequestException($"{field}.relative_uncertainty", "relative_uncertainty must be in [0, 1), e.g. 0.05 for 5%.");
        }

        double? uncertainty = scale.HasRelativeUncertainty ? scale.RelativeUncertainty : null;
        return scale.SourceCase switch
        {
            // The plausible range per modality is the pipeline's (ScaleLimits), checked there.
            V1.ScaleOptions.SourceOneofCase.PixelsPerMillimetre => new ScaleRequest(scale.PixelsPerMillimetre, null, null, uncertainty),
            V1.ScaleOptions.SourceOneofCase.Device when string.IsNullOrWhiteSpace(scale.Device.DeviceId) =>
                throw new InvalidRequestException($"{field}.device.device_id", "device_id is required when a device profile is used."),
            V1.ScaleOptions.SourceOneofCase.Device when scale.Device.DeviceId.Length > MaxDeviceIdLength =>
                throw new InvalidRequestException($"{field}.device.device_id", $"device_id is {scale.Device.DeviceId.Length} characters long; profile ids have at most {MaxDeviceIdLength}. Use a configured id such as trichoscope-70x."),
            V1.ScaleOptions.SourceOneofCase.Device => new ScaleRequest(null, scale.Device.DeviceId, scale.Device.HasMagnification ? scale.Device.Magnification : null, uncertainty),
            _ => null,
        };
    }
}
