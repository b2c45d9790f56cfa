using OpenCvSharp;

namespace SmpVision.Pipeline.Imaging;

/// <summary>Format of the encoded input, from its signature bytes.</summary>
public enum ImageFormat
{
    Unknown = 0,
    Jpeg = 1,
    Png = 2,
    Tiff = 3,
    WebP = 4,
    Bmp = 5,
}

/// <summary>Facts about a decoded input image.</summary>
/// <param name="Format">Encoded format detected from the signature.</param>
/// <param name="WidthPixels">Width after orientation was applied.</param>
/// <param name="HeightPixels">Height after orientation was applied.</param>
/// <param name="EncodedWidthPixels">Width as stored in the file (before orientation).</param>
/// <param name="EncodedHeightPixels">Height as stored in the file (before orientation).</param>
/// <param name="Channels">Channels in the file (1 grey, 2 grey+alpha, 3 colour, 4 colour+alpha).</param>
/// <param name="BitDepth">Bits per channel in the file (8 or 16).</param>
/// <param name="ExifOrientation">EXIF orientation tag (1-8) that was applied; 1 when none.</param>
/// <param name="EncodedSizeBytes">Size of the encoded input.</param>
/// <param name="ReductionFactor">
/// 1 = analysed at full resolution; 2, 4 or 8: a very large photo (above
/// <see cref="DecodingOptions.MaxAnalysisPixels"/>) was decoded reduced by this factor per side,
/// so every pixel coordinate refers to the reduced image and a caller's px/mm was divided by it.
/// </param>
public sealed record ImageInfo(
    ImageFormat Format,
    int WidthPixels,
    int HeightPixels,
    int EncodedWidthPixels,
    int EncodedHeightPixels,
    int Channels,
    int BitDepth,
    int ExifOrientation,
    long EncodedSizeBytes,
    int ReductionFactor = 1);

/// <summary>
/// A decoded, oriented scalp photo: 8-bit BGR pixels plus provenance. Owns native memory:
/// dispose it. The pixels stay internal so that no OpenCV type crosses the public API.
/// </summary>
public sealed class ScalpImage : IDisposable
{
    internal ScalpImage(Mat bgr, ImageInfo info)
    {
        if (bgr.Type() != MatType.CV_8UC3)
        {
            throw new ArgumentException("ScalpImage holds 8-bit 3-channel BGR pixels.", nameof(bgr));
        }

        Bgr = bgr;
        Info = info;
    }

    /// <summary>Oriented 8-bit BGR pixels.</summary>
    internal Mat Bgr { get; }

    /// <summary>Provenance of the pixels.</summary>
    public ImageInfo Info { get; }

    /// <summary>Width in pixels.</summary>
    public int WidthPixels => Bgr.Cols;

    /// <summary>Height in pixels.</summary>
    public int HeightPixels => Bgr.Rows;

    /// <summary>Wraps a BGR Mat the caller hands over (ownership moves to the ScalpImage).</summary>
    internal static ScalpImage FromBgr(Mat bgr, ImageFormat format = ImageFormat.Unknown) =>
        new(bgr, new ImageInfo(format, bgr.Cols, bgr.Rows, bgr.Cols, bgr.Rows, 3, 8, 1, 0));

    /// <summary>Encodes the pixels as PNG (lossless), e.g. for previews and fixtures.</summary>
    public byte[] EncodePng() => Bgr.ImEncode(".png");

    /// <summary>Encodes the pixels as JPEG at the given quality (1-100).</summary>
    public byte[] EncodeJpeg(int quality) => Bgr.ImEncode(".jpg", new ImageEncodingParam(ImwriteFlags.JpegQuality, quality));

    /// <inheritdoc />
    public void Dispose() => Bgr.Dispose();
}
