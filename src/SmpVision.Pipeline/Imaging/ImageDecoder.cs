using OpenCvSharp;

namespace SmpVision.Pipeline.Imaging;

/// <summary>Limits applied before and while decoding an input image.</summary>
public sealed record DecodingOptions
{
    /// <summary>
    /// Largest stored pixel count accepted, checked from the header before decoding.
    /// Default 100 megapixels: above any phone (12-50 MP) or dermoscope (1-5 MP) photo, and
    /// 300 MB as 8-bit BGR, so two concurrent analyses stay far inside the 24 GB machine.
    /// </summary>
    public long MaxPixels { get; init; } = 100_000_000;

    /// <summary>Longest side accepted, in pixels. Default 20000.</summary>
    public int MaxSidePixels { get; init; } = 20_000;

    /// <summary>Shortest side accepted, in pixels: below it no hair or head can be measured. Default 64.</summary>
    public int MinSidePixels { get; init; } = 64;

    /// <summary>
    /// Largest decoded size accepted, in bytes, from the header before decoding: width x height x
    /// channels x bytes per sample as stored (a 16-bit RGBA pixel is 8 bytes, an 8-bit grey one 1).
    /// Default 512 MiB: a 100 MP 8-bit RGBA photo fits; a 787 kB 16-bit RGBA PNG claiming 64 MP
    /// (once 10 GB resident while it was converted) does not.
    /// </summary>
    public long MaxDecodedBytes { get; init; } = 512L << 20;

    /// <summary>
    /// Highest ratio of decoded bytes to file bytes accepted for images that decode to more than
    /// <see cref="CompressionCheckMinDecodedBytes"/>. Default 200: camera JPEGs compress ~5-40:1
    /// and photo PNGs ~2-4:1, while a flat or generated image (or a bomb) compresses 1000:1 and more.
    /// Refusing it from the header saves decoding hundreds of MB only to find the frame blank.
    /// </summary>
    public double MaxCompressionRatio { get; init; } = 200;

    /// <summary>Decoded size from which the compression ratio is checked. Default 32 MiB (small images are cheap either way).</summary>
    public long CompressionCheckMinDecodedBytes { get; init; } = 32L << 20;

    /// <summary>
    /// Pixels analysed at most. Larger photos are decoded reduced by 2, 4 or 8 per side (JPEG in
    /// the DCT, so the full-size pixels never exist; other formats area-averaged after decoding)
    /// and the response says so. Default 24 MP: a 48 MP phone photo is analysed at 12 MP, far
    /// more than an overhead analysis resolves; trichoscopy frames (1-5 MP) are never reduced.
    /// </summary>
    public long MaxAnalysisPixels { get; init; } = 24_000_000;

    /// <summary>
    /// Longest side over shortest side accepted. Default 8: sensors are 4:3 to 16:9 and
    /// dermoscope frames 5:4, so a 8000x65 strip is no scalp photo (its head segmentation once
    /// took 15 s on a colour model of 8-pixel rows).
    /// </summary>
    public double MaxAspectRatio { get; init; } = 8;

    /// <summary>Accept files whose end is missing (JPEG without EOI, PNG without IEND). Default false: refuse them.</summary>
    public bool AllowTruncated { get; init; }

    /// <summary>Returns the configuration errors, empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxPixels < 4096)
        {
            errors.Add($"{nameof(MaxPixels)} must be at least 4096 (got {MaxPixels}).");
        }

        if (MaxAspectRatio < 1)
        {
            errors.Add($"{nameof(MaxAspectRatio)} must be at least 1.");
        }

        if (MaxDecodedBytes < 1 << 20 || MaxCompressionRatio < 10 || MaxAnalysisPixels < 4096 || CompressionCheckMinDecodedBytes < 0)
        {
            errors.Add($"{nameof(MaxDecodedBytes)} must be at least 1 MiB, {nameof(MaxCompressionRatio)} at least 10, {nameof(MaxAnalysisPixels)} at least 4096.");
        }

        if (MinSidePixels < 1 || MinSidePixels > MaxSidePixels)
        {
            errors.Add($"{nameof(MinSidePixels)} must be between 1 and {nameof(MaxSidePixels)} (got {MinSidePixels}, {MaxSidePixels}).");
        }

        return errors;
    }
}

/// <summary>
/// Decodes and validates an encoded photo into an oriented 8-bit BGR <see cref="ScalpImage"/>.
/// Order matters: the header is checked (format, size, completeness) before any pixel buffer is
/// allocated, then OpenCV decodes, then depth, channels and EXIF orientation are normalised.
/// </summary>
public static class ImageDecoder
{
    /// <summary>Reads only the header and applies the limits; throws <see cref="InvalidImageException"/>.</summary>
    public static ImageHeader Inspect(ReadOnlySpan<byte> encoded, DecodingOptions options)
    {
        var header = ImageHeaderReader.Read(encoded);
        var name = ImageHeaderReader.Name(header.Format).ToUpperInvariant();
        if (header.PixelCount > options.MaxPixels || header.WidthPixels > options.MaxSidePixels || header.HeightPixels > options.MaxSidePixels)
        {
            throw new InvalidImageException(
                ImageErrorKind.TooLarge,
                $"The {name} header declares {header.WidthPixels}x{header.HeightPixels} pixels ({header.PixelCount / 1e6:0.#} MP); the limit is {options.MaxPixels / 1e6:0.#} MP and {options.MaxSidePixels} px per side. Downscale the photo before sending it; it was refused before decoding.");
        }

        CheckDecodedBytes(header, encoded.Length, options, name);

        if (header.WidthPixels < options.MinSidePixels || header.HeightPixels < options.MinSidePixels)
        {
            throw new InvalidImageException(
                ImageErrorKind.TooSmall,
                $"The image is {header.WidthPixels}x{header.HeightPixels} pixels; at least {options.MinSidePixels} px per side is needed. Send the full-resolution photo, not a thumbnail.");
        }

        var aspect = Math.Max(header.WidthPixels, header.HeightPixels) / (double)Math.Min(header.WidthPixels, header.HeightPixels);
        if (aspect > options.MaxAspectRatio)
        {
            throw new InvalidImageException(
                ImageErrorKind.NotAScalp,
                $"The image is {header.WidthPixels}x{header.HeightPixels} pixels, {aspect:0.#}:1; photos of a scalp are at most {options.MaxAspectRatio:0.#}:1. Send the uncropped photo.");
        }

        if (header.Truncated && !options.AllowTruncated)
        {
            throw new InvalidImageException(
                ImageErrorKind.Truncated,
                $"The {name} file is truncated (its end marker is missing), so part of the photo is lost. Upload the complete file; for large photos use AnalyzeUpload.");
        }

        return header;
    }

    /// <summary>Decoded bytes as the file stores them (channels and depth from the header; unknown = 4 channels, 8 bits).</summary>
    public static long DecodedBytes(ImageHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var channels = header.Channels is >= 1 and <= 4 ? header.Channels : 4;
        var bytesPerSample = header.BitDepth > 8 ? 2 : 1;
        return header.PixelCount * channels * bytesPerSample;
    }

    /// <summary>Refuses, before any pixel buffer exists, what would decode to too many bytes or compresses implausibly well.</summary>
    private static void CheckDecodedBytes(ImageHeader header, int encodedBytes, DecodingOptions options, string name)
    {
        var decoded = DecodedBytes(header);
        var layout = $"{header.WidthPixels}x{header.HeightPixels} px, {(header.Channels is >= 1 and <= 4 ? header.Channels : 4)} channels, {(header.BitDepth > 8 ? 16 : 8)}-bit";
        if (decoded > options.MaxDecodedBytes)
        {
            throw new InvalidImageException(
                ImageErrorKind.TooLarge,
                $"The {name} header declares {layout}: {decoded / 1048576.0:0} MiB decoded, above the {options.MaxDecodedBytes / 1048576.0:0} MiB limit. Send it as an 8-bit JPEG or downscale it; it was refused before decoding.");
        }

        var ratio = decoded / (double)Math.Max(1, encodedBytes);
        if (decoded > options.CompressionCheckMinDecodedBytes && ratio > options.MaxCompressionRatio)
        {
            throw new InvalidImageException(
                ImageErrorKind.NotAScalp,
                $"The {name} file is {encodedBytes / 1024.0:0} kB but declares {layout} ({decoded / 1048576.0:0} MiB decoded): it compresses {ratio:0}:1, while photos compress at most about {options.MaxCompressionRatio:0}:1. It is a flat or generated image (or a decompression bomb), not a scalp photo; it was refused before decoding.");
        }
    }

    /// <summary>Decodes <paramref name="encoded"/>; throws <see cref="InvalidImageException"/> with an actionable reason.</summary>
    public static ScalpImage Decode(byte[] encoded, DecodingOptions options)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        ArgumentNullException.ThrowIfNull(options);
        var header = Inspect(encoded, options);
        var name = ImageHeaderReader.Name(header.Format).ToUpperInvariant();
        var reduction = ReductionFactor(header.PixelCount, options.MaxAnalysisPixels);
        // JPEG decodes reduced in the DCT (libjpeg scaling): the full-size pixels never exist.
        var dctReduced = reduction > 1 && header.Format == ImageFormat.Jpeg;
        var decoded = DecodeRaw(encoded, name, dctReduced ? reduction : 1);
        int channels, bitDepth;
        Mat bgr;
        using (decoded)
        {
            var (expectedWidth, expectedHeight) = dctReduced
                ? ((header.WidthPixels + reduction - 1) / reduction, (header.HeightPixels + reduction - 1) / reduction)
                : (header.WidthPixels, header.HeightPixels);
            if (decoded.Width != expectedWidth || decoded.Height != expectedHeight)
            {
                throw new InvalidImageException(ImageErrorKind.Corrupt, $"The {name} header says {header.WidthPixels}x{header.HeightPixels} but the data decodes to {decoded.Width}x{decoded.Height}: the file is inconsistent. Export it again.");
            }

            channels = dctReduced ? Math.Max(1, header.Channels) : decoded.Channels();
            bitDepth = dctReduced ? header.BitDepth : decoded.Depth() == MatType.CV_16U ? 16 : 8;
            bgr = ToBgr8(decoded, name);
        }

        if (reduction > 1 && !dctReduced)
        {
            bgr = Reduce(bgr, reduction);
        }

        var oriented = ApplyOrientation(bgr, header.ExifOrientation);
        var info = new ImageInfo(
            header.Format,
            oriented.Cols,
            oriented.Rows,
            header.WidthPixels,
            header.HeightPixels,
            channels,
            bitDepth,
            header.ExifOrientation,
            encoded.LongLength,
            reduction);
        return new ScalpImage(oriented, info);
    }

    /// <summary>
    /// Smallest power-of-two factor per side (1, 2, 4 or 8) that brings the pixel count to at most
    /// <paramref name="maxAnalysisPixels"/>: libjpeg's DCT scaling offers exactly these.
    /// </summary>
    internal static int ReductionFactor(long pixels, long maxAnalysisPixels)
    {
        var factor = 1;
        while (factor < 8 && pixels > maxAnalysisPixels * factor * factor)
        {
            factor *= 2;
        }

        return factor;
    }

    private static Mat DecodeRaw(byte[] encoded, string name, int jpegReduction)
    {
        // Unchanged keeps 16-bit depth and alpha, and leaves EXIF orientation to us, so the
        // response can say exactly which orientation was applied. Reduced JPEG decoding gives
        // 8-bit BGR; IgnoreOrientation keeps the orientation ours there too.
        var mode = jpegReduction switch
        {
            2 => ImreadModes.ReducedColor2 | ImreadModes.IgnoreOrientation,
            4 => ImreadModes.ReducedColor4 | ImreadModes.IgnoreOrientation,
            8 => ImreadModes.ReducedColor8 | ImreadModes.IgnoreOrientation,
            _ => ImreadModes.Unchanged,
        };
        Mat decoded;
        try
        {
            decoded = Cv2.ImDecode(encoded, mode);
        }
        catch (OpenCVException)
        {
            throw new InvalidImageException(ImageErrorKind.Corrupt, $"The {name} data could not be decoded: the file is damaged. Export the photo again from the camera or capture software.");
        }

        if (decoded.Empty())
        {
            decoded.Dispose();
            throw new InvalidImageException(ImageErrorKind.Corrupt, $"The {name} data could not be decoded: the file is damaged or uses an unsupported variant (e.g. CMYK TIFF, animated WebP). Export it again as baseline JPEG or PNG.");
        }

        return decoded;
    }

    /// <summary>Area-averages <paramref name="bgr"/> down by <paramref name="factor"/> per side; takes ownership.</summary>
    private static Mat Reduce(Mat bgr, int factor)
    {
        var small = new Mat();
        Cv2.Resize(bgr, small, new Size((bgr.Cols + factor - 1) / factor, (bgr.Rows + factor - 1) / factor), 0, 0, InterpolationFlags.Area);
        bgr.Dispose();
        return small;
    }

    /// <summary>
    /// Converts any decoded layout (grey, grey+alpha, BGR, BGRA; 8/16-bit) to 8-bit BGR, in 8-bit
    /// intermediates only (a float composite once cost 12 bytes per pixel per buffer).
    /// </summary>
    private static Mat ToBgr8(Mat decoded, string name)
    {
        var depth = decoded.Depth();
        if (depth != MatType.CV_8U && depth != MatType.CV_16U)
        {
            throw new InvalidImageException(ImageErrorKind.UnsupportedPixelLayout, $"The {name} image has floating-point or signed samples; send an 8- or 16-bit integer image.");
        }

        using var converted = new Mat();
        if (depth == MatType.CV_16U)
        {
            // 65535 -> 255: a linear rescale keeps the tonal order; the analysis works on 8 bits.
            decoded.ConvertTo(converted, MatType.CV_8U, 1.0 / 257.0);
        }

        var depth8 = depth == MatType.CV_16U ? converted : decoded;
        var bgr = new Mat();
        switch (depth8.Channels())
        {
            case 1:
                Cv2.CvtColor(depth8, bgr, ColorConversionCodes.GRAY2BGR);
                break;
            case 2:
                {
                    // Grey + alpha: composite the grey plane over white.
                    using var grey = new Mat();
                    using var alpha = new Mat();
                    Cv2.ExtractChannel(depth8, grey, 0);
                    Cv2.ExtractChannel(depth8, alpha, 1);
                    using var grey3 = new Mat();
                    Cv2.CvtColor(grey, grey3, ColorConversionCodes.GRAY2BGR);
                    CompositeOverWhite(grey3, alpha, bgr);
                    break;
                }

            case 3:
                depth8.CopyTo(bgr);
                break;
            case 4:
                {
                    using var alpha = new Mat();
                    Cv2.ExtractChannel(depth8, alpha, 3);
                    using var colour = new Mat();
                    Cv2.CvtColor(depth8, colour, ColorConversionCodes.BGRA2BGR);
                    CompositeOverWhite(colour, alpha, bgr);
                    break;
                }

            default:
                bgr.Dispose();
                throw new InvalidImageException(ImageErrorKind.UnsupportedPixelLayout, $"The {name} image has {depth8.Channels()} channels; send a grey, colour or colour+alpha image.");
        }

        return bgr;
    }

    /// <summary>
    /// Transparent pixels become white, a neutral background that is neither hair nor skin:
    /// dst = colour x a/255 + (255 - a), all in 8 bits (3 bytes per pixel per buffer).
    /// </summary>
    private static void CompositeOverWhite(Mat bgr, Mat alpha, Mat dst)
    {
        using var alpha3 = new Mat();
        Cv2.CvtColor(alpha, alpha3, ColorConversionCodes.GRAY2BGR);
        using var weighted = new Mat();
        Cv2.Multiply(bgr, alpha3, weighted, 1.0 / 255.0);
        using var inverse = new Mat();
        Cv2.BitwiseNot(alpha3, inverse);
        Cv2.Add(weighted, inverse, dst);
    }

    /// <summary>Applies EXIF orientation 1-8 so that pixel coordinates match what a viewer shows.</summary>
    internal static Mat ApplyOrientation(Mat src, int orientation)
    {
        var dst = new Mat();
        switch (orientation)
        {
            case 2:
                Cv2.Flip(src, dst, FlipMode.Y);
                break;
            case 3:
                Cv2.Rotate(src, dst, RotateFlags.Rotate180);
                break;
            case 4:
                Cv2.Flip(src, dst, FlipMode.X);
                break;
            case 5:
                Cv2.Transpose(src, dst);
                break;

            case 6:
                Cv2.Rotate(src, dst, RotateFlags.Rotate90Clockwise);
                break;
            case 7:
                {
                    using var t = new Mat();
                    Cv2.Transpose(src, t);
                    Cv2.Flip(t, dst, FlipMode.XY);
                    break;
                }

            case 8:
                Cv2.Rotate(src, dst, RotateFlags.Rotate90Counterclockwise);
                break;
            default:
                dst.Dispose();
                return src;
        }

        src.Dispose();
        return dst;
    }
}
