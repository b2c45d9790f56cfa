using Google.Protobuf;
using OpenCvSharp;
using SmpVision.Contracts.V1;
using SmpVision.Pipeline.Synthetic;

namespace SmpVision.Service.Tests.Records;

/// <summary>Photos for record tests: one generated trichoscopy field as PNG and as JPEG (different bytes, same scalp).</summary>
internal static class RecordPhotos
{
    public const double PixelsPerMillimetre = 180;

    private static readonly Lazy<(byte[] Png, byte[] Jpeg)> Frame = new(() =>
    {
        var frame = SyntheticTrichoscopyGenerator.Generate(new SyntheticTrichoscopySpec { WidthPixels = 640, HeightPixels = 512, PixelsPerMillimetre = PixelsPerMillimetre }, seed: 31);
        using var mat = Cv2.ImDecode(frame.EncodedImage, ImreadModes.Color);
        return (mat.ImEncode(".png"), mat.ImEncode(".jpg", new ImageEncodingParam(ImwriteFlags.JpegQuality, 95)));
    });

    public static ByteString Visit1 => ByteString.CopyFrom(Frame.Value.Png);

    public static ByteString Visit2 => ByteString.CopyFrom(Frame.Value.Jpeg);

    public static AnalysisOptions Options(ScalpZone zone = ScalpZone.Vertex) => new()
    {
        Modality = Modality.Trichoscopy,
        Scale = new ScaleOptions { PixelsPerMillimetre = PixelsPerMillimetre },
        Zone = zone,
    };
}
