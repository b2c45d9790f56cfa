using SmpVision.Pipeline.Analysis;
using SmpVision.Pipeline.Model;
using SmpVision.Pipeline.Overhead;
using V1 = SmpVision.Contracts.V1;
using SmpVision.Pipeline.Detection;
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

        if (!Enum.IsDefined(planning.HairlineEdge))
        {
            throw new InvalidRequestException($"{prefix}.planning.hairline_edge", $"Unknown hairline edge value {(int)planning.HairlineEdge}. Use HAIRLINE_EDGE_TOP, HAIRLINE_EDGE_BOTTOM, HAIRLINE_EDGE_LEFT, HAIRLINE_EDGE_RIGHT, or leave it unset for no hairline.");
        }

        if (!Enum.IsDefined(options.Detector))
        {
            throw new InvalidRequestException($"{prefix}.detector", $"Unknown hair detector value {(int)options.Detector}. Use HAIR_DETECTOR_LEARNED or HAIR_DETECTOR_CLASSICAL, or leave it unset for the configured one.");
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

        var clinician = ToClinician(options.Clinician, $"{prefix}.clinician");
        var view = options.Overhead ?? new V1.OverheadViewOptions();
        if (!Enum.IsDefined(view.View))
        {
            throw new InvalidRequestException($"{prefix}.overhead.view", $"Unknown overhead view value {(int)view.View}. Use OVERHEAD_VIEW_TOP, _FRONT, _LEFT, _RIGHT or _BACK, or leave it unset to detect it.");
        }

        if (!Enum.IsDefined(view.FaceEdge))
        {
            throw new InvalidRequestException($"{prefix}.overhead.face_edge", $"Unknown face edge value {(int)view.FaceEdge}. Use HAIRLINE_EDGE_TOP, _BOTTOM, _LEFT or _RIGHT.");
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
            Clinician = clinician,
            OverheadView = ToView(view.View),
            // The face side: given explicitly, else the hairline edge (the hairline faces the face).
            FaceDirection = ToFront(view.FaceEdge) ?? ToFront(planning.HairlineEdge),
            Detector = options.Detector switch
            {
                V1.HairDetector.Learned => HairDetectorKind.Learned,
                V1.HairDetector.Classical => HairDetectorKind.Classical,
                _ => null,
            },
        };
    }

    /// <summary>
    /// Maps a head request to one overhead analysis request per view: the shared options with the
    /// modality set to overhead and the view's own orientation and clinician input. At least one
    /// view, each named and given once.
    /// </summary>
    public static IReadOnlyList<(OverheadView View, AnalysisRequest Request)> ToHeadViews(V1.AnalyzeHeadRequest request)
    {
        if (request.Views.Count == 0)
        {
            throw new InvalidRequestException("views", "Give at least one view (top, front, left, right, back), each with its image.");
        }

        if (request.Views.Count > 5)
        {
            throw new InvalidRequestException("views", $"At most five views (top, front, left, right, back); got {request.Views.Count}.");
        }

        var seen = new HashSet<V1.OverheadView>();
        var result = new List<(OverheadView, AnalysisRequest)>();
        for (int i = 0; i < request.Views.Count; i++)
        {
            var v = request.Views[i];
            if (ToView(v.View) is not { } view || !Enum.IsDefined(v.View))
            {
                throw new InvalidRequestException($"views[{i}].view", "Each view must be named: OVERHEAD_VIEW_TOP, _FRONT, _LEFT, _RIGHT or _BACK.");
            }

            if (!seen.Add(v.View))
            {
                throw new InvalidRequestException($"views[{i}].view", $"{v.View} is given twice; send each view once.");
            }

            if (v.Image.IsEmpty)
            {
                throw new InvalidRequestException($"views[{i}].image", $"The {v.View} view has no image.");
            }

            var options = request.Options?.Clone() ?? new V1.AnalysisOptions();
            options.Modality = V1.Modality.Overhead;
            options.Clinician = v.Clinician;
            options.Overhead = new V1.OverheadViewOptions { View = v.View, FaceEdge = v.FaceEdge };
            result.Add((view, ToPipeline(options, $"views[{i}]")));
        }

        return result;
    }

    /// <summary>API view to pipeline view; null = detect.</summary>
    public static OverheadView? ToView(V1.OverheadView view) => view switch
    {
        V1.OverheadView.Top => OverheadView.TopDown,
        V1.OverheadView.Front => OverheadView.Frontal,
        V1.OverheadView.Left => OverheadView.Left,
        V1.OverheadView.Right => OverheadView.Right,
        V1.OverheadView.Back => OverheadView.Back,
        _ => null,
    };

    /// <summary>Image border to face direction; null when unspecified.</summary>
    public static FrontDirection? ToFront(V1.HairlineEdge edge) => edge switch
    {
        V1.HairlineEdge.Top => FrontDirection.Up,
        V1.HairlineEdge.Bottom => FrontDirection.Down,
        V1.HairlineEdge.Left => FrontDirection.Left,
        V1.HairlineEdge.Right => FrontDirection.Right,
        _ => null,
    };

    /// <summary>Maps and checks the clinician's drawing: finite pixel coordinates, enough vertices, sane overrides.</summary>
    public static ClinicianInput ToClinician(V1.ClinicianInput? input, string field)
    {
        if (input is null)
        {
            return new ClinicianInput();
        }

        IReadOnlyList<PointPixels>? hairline = null;
        if (input.Hairline is { Vertices.Count: > 0 } line)
        {
            if (line.Vertices.Count < 2)
            {
                throw new InvalidRequestException($"{field}.hairline.vertices", "A drawn hairline needs at least two points (image pixels).");
            }

            hairline = [.. line.Vertices.Select((v, i) => ToPoint(v, $"{field}.hairline.vertices[{i}]"))];
        }

        if (input.HasReferenceFollicularUnitsPerSquareCentimetre && input.ReferenceFollicularUnitsPerSquareCentimetre is not (> 0 and <= 300))
        {
            throw new InvalidRequestException($"{field}.reference_follicular_units_per_square_centimetre", $"Reference density must be in (0, 300] FU/cm2 (normal scalps have 65-110, docs/DOMAIN-SOURCES.md); got {input.ReferenceFollicularUnitsPerSquareCentimetre}.");
        }

        if (input.HasMinDotSpacingMillimetres && input.MinDotSpacingMillimetres is not (> 0 and <= 10))
        {
            throw new InvalidRequestException($"{field}.min_dot_spacing_millimetres", $"Minimum dot spacing must be in (0, 10] mm (SMP dots sit ~1 mm apart, Rassman 2015); got {input.MinDotSpacingMillimetres}.");
        }

        return new ClinicianInput
        {
            Hairline = hairline,
            TreatmentAreas = ToPolygons(input.TreatmentAreas, $"{field}.treatment_areas"),
            Exclusions = ToPolygons(input.Exclusions, $"{field}.exclusions"),
            ReferenceFollicularUnitsPerSquareCentimetre = input.HasReferenceFollicularUnitsPerSquareCentimetre ? input.ReferenceFollicularUnitsPerSquareCentimetre : null,
            MinDotSpacingMillimetres = input.HasMinDotSpacingMillimetres ? input.MinDotSpacingMillimetres : null,
        };
    }

    /// <summary>Maps clinician polygons (generic: treatment areas, exclusions, scars), each with at least three finite vertices.</summary>
    public static IReadOnlyList<ClinicianPolygon> ToPolygons(IEnumerable<V1.ClinicianPolygon> polygons, string field)
    {
        var result = new List<ClinicianPolygon>();
        int i = 0;
        foreach (var p in polygons)
        {
            var vertices = p.Polygon?.Vertices ?? [];
            if (vertices.Count < 3)
            {
                throw new InvalidRequestException($"{field}[{i}].polygon.vertices", $"Polygon {(string.IsNullOrEmpty(p.Id) ? i.ToString(System.Globalization.CultureInfo.InvariantCulture) : "'" + p.Id + "'")} has {vertices.Count} vertices; a polygon needs at least three (image pixels).");
            }

            var points = vertices.Select((v, k) => ToPoint(v, $"{field}[{i}].polygon.vertices[{k}]")).ToArray();
            result.Add(new ClinicianPolygon(p.Id, new PolygonPixels(points), string.IsNullOrEmpty(p.Note) ? null : p.Note));
            i++;
        }

        return result;
    }

    private static PointPixels ToPoint(V1.PointPixels v, string field)
    {
        if (!double.IsFinite(v.X) || !double.IsFinite(v.Y) || Math.Abs(v.X) > 1e6 || Math.Abs(v.Y) > 1e6)
        {
            throw new InvalidRequestException(field, $"Coordinates must be finite image pixels (got {v.X}, {v.Y}).");
        }

        return new PointPixels(v.X, v.Y);
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
