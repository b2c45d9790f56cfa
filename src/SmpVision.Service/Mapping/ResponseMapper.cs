using SmpVision.Pipeline.Analysis;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.Model;
using V1 = SmpVision.Contracts.V1;

namespace SmpVision.Service.Mapping;

/// <summary>Maps pipeline results (plain records) to API messages. No computation beyond unit-free copying.</summary>
internal static class ResponseMapper
{
    private static readonly string ServiceVersion = typeof(ResponseMapper).Assembly.GetName().Version?.ToString() ?? "0.0.0";

    public static V1.AnalyzeResponse ToProto(ScalpAnalysisResult result)
    {
        var response = new V1.AnalyzeResponse
        {
            Image = ToProto(result.Image),
            Modality = ToProto(result.Modality),
            ModalityDetected = result.ModalityDetected,
            ModalityConfidence = result.ModalityConfidence,
            Scale = ToProto(result.Scale),
            Versions = new V1.Versions
            {
                Service = ServiceVersion,
                Pipeline = ScalpAnalyzer.PipelineVersion,
                Model = ScalpAnalyzer.ModelVersion,
                Opencv = ScalpAnalyzer.OpenCvVersion,
            },
        };
        response.Warnings.AddRange(result.Warnings.Select(ToProto));
        response.Timings.AddRange(result.Timings.Select(t => new V1.StageTiming { Stage = t.Stage, Milliseconds = t.Milliseconds }));
        return response;
    }

    public static V1.ImageInfo ToProto(ImageInfo info) => new()
    {
        Format = ImageHeaderReader.Name(info.Format),
        WidthPixels = (uint)info.WidthPixels,
        HeightPixels = (uint)info.HeightPixels,
        EncodedWidthPixels = (uint)info.EncodedWidthPixels,
        EncodedHeightPixels = (uint)info.EncodedHeightPixels,
        Channels = (uint)info.Channels,
        BitDepth = (uint)info.BitDepth,
        ExifOrientationApplied = (uint)info.ExifOrientation,
        EncodedSizeBytes = (ulong)info.EncodedSizeBytes,
    };

    public static V1.Modality ToProto(Modality modality) => modality switch
    {
        Modality.Trichoscopy => V1.Modality.Trichoscopy,
        Modality.Overhead => V1.Modality.Overhead,
        _ => V1.Modality.Unspecified,
    };

    public static V1.ScaleInfo ToProto(Scale? scale) => scale is null
        ? new V1.ScaleInfo { Source = V1.ScaleSource.None, Description = "no scale: fractions and counts only" }
        : new V1.ScaleInfo
        {
            Source = scale.Source switch
            {
                ScaleSource.Request => V1.ScaleSource.Request,
                ScaleSource.DeviceProfile => V1.ScaleSource.DeviceProfile,
                ScaleSource.ScaleBar => V1.ScaleSource.ScaleBar,
                ScaleSource.Marker => V1.ScaleSource.Marker,
                _ => V1.ScaleSource.None,
            },
            PixelsPerMillimetre = scale.PixelsPerMillimetre,
            RelativeUncertainty = scale.RelativeUncertainty,
            Description = scale.Description,
        };

    public static V1.Warning ToProto(PipelineWarning warning) => new() { Code = warning.Code, Message = warning.Message };

    public static V1.PointPixels ToProto(PointPixels p) => new() { X = p.X, Y = p.Y };

    public static V1.PolygonPixels ToProto(PolygonPixels polygon)
    {
        var result = new V1.PolygonPixels();
        result.Vertices.AddRange(polygon.Vertices.Select(ToProto));
        return result;
    }

    public static V1.LabColour ToProto(LabColour c) => new() { L = c.L, A = c.A, B = c.B };
}
