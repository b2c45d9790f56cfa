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

        if (header.WidthPixels < options.MinSidePixels || header.HeightPixels < options.MinSidePixels)
        {
            throw new InvalidImageException(
                ImageErrorKind.TooSmall,
                $"The image is {header.WidthPixels}x{header.HeightPixels} pixels; at least {options.MinSidePixels} px per side is needed. Send the full-resolution photo, not a thumbnail.");
        }

        if (header.Truncated && !options.AllowTruncated)
        {
            throw new InvalidImageException(
                ImageErrorKind.Truncated,
                $"The {name} file is truncated (its end marker is missing), so part of the photo is lost. Upload the complete file; for large photos use AnalyzeUpload.");
        }

        return header;
    }

    /// <summary>Decodes <paramref name="encoded"/>; throws <see cref="InvalidImageException"/> with an actionable reason.</summary>
    public static ScalpImage Decode(byte[] encoded, DecodingOptions options)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        ArgumentNullException.ThrowIfNull(options);
        var header = Inspect(encoded, options);
        var name = ImageHeaderReader.Name(header.Format).ToUpperInvariant();

        Mat decoded;
        try
        {
            // Unchanged keeps 16-bit depth and alpha, and leaves EXIF orientation to us, so the
            // response can say exactly which orientation was applied.
            decoded = Cv2.ImDecode(encoded, ImreadModes.Unchanged);
        }
        catch (OpenCVException)
        {
            throw new InvalidImageException(ImageErrorKind.Corrupt, $"The {name} data could not be decoded: the file is damaged. Export the photo again from the camera or capture software.");
        }

        using (decoded)
        {
            if (decoded.Empty())
            {
                throw new InvalidImageException(ImageErrorKind.Corrupt, $"The {name} data could not be decoded: the file is damaged or uses an unsupported variant (e.g. CMYK TIFF, animated WebP). Export it again as baseline JPEG or PNG.");
            }

            if (decoded.Width != header.WidthPixels || decoded.Height != header.HeightPixels)
            {
                throw new InvalidImageException(ImageErrorKind.Corrupt, $"The {name} header says {header.WidthPixels}x{header.HeightPixels} but the data decodes to {decoded.Width}x{decoded.Height}: the file is inconsistent. Export it again.");
            }

            var bgr = ToBgr8(decoded, name);
            var oriented = ApplyOrientation(bgr, header.ExifOrientation);
            var info = new ImageInfo(
                header.Format,
                oriented.Cols,
                oriented.Rows,
                header.WidthPixels,
                header.HeightPixels,
                decoded.Channels(),
                decoded.Depth() == MatType.CV_16U ? 16 : 8,
                header.ExifOrientation,
                encoded.LongLength);
            return new ScalpImage(oriented, info);
        }
    }

    /// <summary>Converts any decoded layout (grey, grey+alpha, BGR, BGRA; 8/16-bit) to 8-bit BGR.</summary>
    private static Mat ToBgr8(Mat decoded, string name)
    {
        using var depth8 = new Mat();
        var depth = decoded.Depth();
        if (depth == MatType.CV_8U)
        {
            decoded.CopyTo(depth8);
        }
        else if (depth == MatType.CV_16U)
        {
            // 65535 -> 255: a linear rescale keeps the tonal order; the analysis works on 8 bits.
            decoded.ConvertTo(depth8, MatType.CV_8U, 1.0 / 257.0);
        }
        else
        {
            throw new InvalidImageException(ImageErrorKind.UnsupportedPixelLayout, $"The {name} image has floating-point or signed samples; send an 8- or 16-bit integer image.");
        }

        var bgr = new Mat();
        switch (depth8.Channels())
        {
            case 1:
                Cv2.CvtColor(depth8, bgr, ColorConversionCodes.GRAY2BGR);
                break;
            case 2:
                {
                    // Grey + alpha: split into grey and alpha, composite over white.
                    var planes = depth8.Split();
                    try
                    {
                        using var grey3 = new Mat();
                        Cv2.CvtColor(planes[0], grey3, ColorConversionCodes.GRAY2BGR);
                        CompositeOverWhite(grey3, planes[1], bgr);
                    }
                    finally
                    {
                        foreach (var p in planes)
                        {
                            p.Dispose();
                        }
                    }

                    break;
                }

            case 3:
                depth8.CopyTo(bgr);
                break;
            case 4:
                {
                    var planes = depth8.Split();
                    try
                    {
                        using var colour = new Mat();
                        Cv2.Merge([planes[0], planes[1], planes[2]], colour);
                        CompositeOverWhite(colour, planes[3], bgr);
                    }
                    finally
                    {
                        foreach (var p in planes)
                        {
                            p.Dispose();
                        }
                    }

                    break;
                }

            default:
                bgr.Dispose();
                throw new InvalidImageException(ImageErrorKind.UnsupportedPixelLayout, $"The {name} image has {depth8.Channels()} channels; send a grey, colour or colour+alpha image.");
        }

        return bgr;
    }

    /// <summary>Transparent pixels become white, a neutral background that is neither hair nor skin.</summary>
    private static void CompositeOverWhite(Mat bgr, Mat alpha, Mat dst)
    {
        using var alpha3 = new Mat();
        using var alphaF = new Mat();
        alpha.ConvertTo(alphaF, MatType.CV_32F, 1.0 / 255.0);
        Cv2.Merge([alphaF, alphaF, alphaF], alpha3);
        using var colourF = new Mat();
        bgr.ConvertTo(colourF, MatType.CV_32FC3);
        using var weighted = new Mat();
        Cv2.Multiply(colourF, alpha3, weighted);
        using var inverse = new Mat();
        Cv2.Subtract(Scalar.All(1.0), alpha3, inverse);
        using var white = new Mat();
        Cv2.Multiply(inverse, Scalar.All(255.0), white);
        using var sum = new Mat();
        Cv2.Add(weighted, white, sum);
        sum.ConvertTo(dst, MatType.CV_8UC3);
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
