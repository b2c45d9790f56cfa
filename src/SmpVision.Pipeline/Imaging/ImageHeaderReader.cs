using System.Buffers.Binary;

namespace SmpVision.Pipeline.Imaging;

/// <summary>What the header of an encoded image says, read without decoding any pixels.</summary>
/// <param name="Format">Format from the signature bytes.</param>
/// <param name="WidthPixels">Stored width.</param>
/// <param name="HeightPixels">Stored height.</param>
/// <param name="Channels">Channels (1-4), 0 when the header does not say.</param>
/// <param name="BitDepth">Bits per channel, 0 when the header does not say.</param>
/// <param name="ExifOrientation">EXIF orientation tag 1-8 (1 = as stored).</param>
/// <param name="Truncated">True when the file visibly ends early (no PNG IEND, no JPEG EOI).</param>
public sealed record ImageHeader(
    ImageFormat Format,
    int WidthPixels,
    int HeightPixels,
    int Channels,
    int BitDepth,
    int ExifOrientation,
    bool Truncated)
{
    /// <summary>Stored pixel count (64-bit: a forged header can claim 10^10 pixels).</summary>
    public long PixelCount => (long)WidthPixels * HeightPixels;
}

/// <summary>
/// Reads dimensions, depth, EXIF orientation and completeness from the header of JPEG, PNG,
/// TIFF, WebP and BMP files. Runs before any decoding so that a decompression bomb (a small
/// file claiming billions of pixels) is refused before a large allocation.
/// </summary>
internal static class ImageHeaderReader
{
    /// <summary>Reads the header; throws <see cref="InvalidImageException"/> when it cannot.</summary>
    public static ImageHeader Read(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            throw new InvalidImageException(ImageErrorKind.Empty, "The image is empty (0 bytes). Send the encoded photo file's bytes.");
        }

        var format = DetectFormat(data);
        ImageHeader header;
        try
        {
            header = format switch
            {
                ImageFormat.Png => ReadPng(data),
                ImageFormat.Jpeg => ReadJpeg(data),
                ImageFormat.Tiff => ReadTiff(data),
                ImageFormat.WebP => ReadWebP(data),
                ImageFormat.Bmp => ReadBmp(data),
                _ => throw new InvalidImageException(
                    ImageErrorKind.UnsupportedFormat,
                    "The bytes are not a supported image (expected JPEG, PNG, TIFF, WebP or BMP; the file signature matches none). Convert HEIC or RAW photos to JPEG or PNG first."),
            };
        }
        catch (Exception ex) when (ex is ArgumentOutOfRangeException or IndexOutOfRangeException or OverflowException)
        {
            // Every reader checks its offsets; this is the net under a forged one a check missed,
            // so that a header, whatever it says, is answered as a damaged file and not INTERNAL.
            throw new InvalidImageException(ImageErrorKind.Corrupt, $"The {Name(format)} header is inconsistent (an offset or size points outside the file): it is damaged. Export the photo again.");
        }

        if (header.WidthPixels <= 0 || header.HeightPixels <= 0)
        {
            throw new InvalidImageException(ImageErrorKind.Corrupt, $"The {Name(format)} header gives an invalid size {header.WidthPixels}x{header.HeightPixels}. The file is damaged: export the photo again.");
        }

        return header;
    }

    /// <summary>Lower-case format name used in messages and the API.</summary>
    public static string Name(ImageFormat format) => format switch
    {
        ImageFormat.Jpeg => "jpeg",
        ImageFormat.Png => "png",
        ImageFormat.Tiff => "tiff",
        ImageFormat.WebP => "webp",
        ImageFormat.Bmp => "bmp",
        _ => "unknown",
    };

    internal static ImageFormat DetectFormat(ReadOnlySpan<byte> d)
    {
        if (d.Length >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF)
        {
            return ImageFormat.Jpeg;
        }

        if (d.Length >= 8 && d[..8].SequenceEqual(PngSignature))
        {
            return ImageFormat.Png;
        }

        if (d.Length >= 4 && ((d[0] == 'I' && d[1] == 'I' && d[2] == 42 && d[3] == 0) || (d[0] == 'M' && d[1] == 'M' && d[2] == 0 && d[3] == 42)))
        {
            return ImageFormat.Tiff;
        }

        if (d.Length >= 12 && d[..4].SequenceEqual("RIFF"u8) && d.Slice(8, 4).SequenceEqual("WEBP"u8))
        {
            return ImageFormat.WebP;
        }

        if (d.Length >= 2 && d[0] == 'B' && d[1] == 'M')
        {
            return ImageFormat.Bmp;
        }

        return ImageFormat.Unknown;
    }

    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static InvalidImageException Truncated(ImageFormat f) => new(
        ImageErrorKind.Truncated,
        $"The {Name(f)} file ends inside its header: it was truncated in transfer. Upload the complete file (for large photos use AnalyzeUpload).");

    private static ImageHeader ReadPng(ReadOnlySpan<byte> d)
    {
        // IHDR is always the first chunk: length(4) "IHDR" width(4) height(4) depth(1) colour type(1).
        if (d.Length < 33)
        {
            throw Truncated(ImageFormat.Png);
        }

        if (!d.Slice(12, 4).SequenceEqual("IHDR"u8))
        {
            throw new InvalidImageException(ImageErrorKind.Corrupt, "The PNG file has no IHDR header chunk: it is damaged. Export the photo again.");
        }

        var width = BinaryPrimitives.ReadUInt32BigEndian(d.Slice(16, 4));
        var height = BinaryPrimitives.ReadUInt32BigEndian(d.Slice(20, 4));
        int depth = d[24];
        int channels = d[25] switch
        {
            0 => 1,
            2 => 3,
            3 => 3,
            4 => 2,
            6 => 4,
            _ => 0,
        };

        var orientation = 1;
        var complete = false;
        var pos = 8;
        while (pos + 8 <= d.Length)
        {
            var length = BinaryPrimitives.ReadUInt32BigEndian(d.Slice(pos, 4));
            var type = d.Slice(pos + 4, 4);
            if (type.SequenceEqual("IEND"u8))
            {
                complete = true;
                break;
            }

            if (length > int.MaxValue || pos + 12L + length > d.Length)
            {
                break;
            }

            if (type.SequenceEqual("eXIf"u8))
            {
                orientation = ExifOrientation(d.Slice(pos + 8, (int)length));
            }

            pos += 12 + (int)length;
        }

        return new ImageHeader(ImageFormat.Png, ClampToInt(width), ClampToInt(height), channels, depth == 16 ? 16 : 8, orientation, !complete);
    }

    private static ImageHeader ReadJpeg(ReadOnlySpan<byte> d)
    {
        int width = 0, height = 0, channels = 0, depth = 0, orientation = 1;
        var pos = 2;
        var sosOffset = -1;
        while (pos + 4 <= d.Length)
        {
            if (d[pos] != 0xFF)
            {
                throw new InvalidImageException(ImageErrorKind.Corrupt, "The JPEG file has a broken marker structure before the image data: it is damaged. Export the photo again.");
            }

            var marker = d[pos + 1];
            if (marker == 0xFF)
            {
                pos++; // fill byte
                continue;
            }

            if (marker is 0xD8 or 0x01 or (>= 0xD0 and <= 0xD7))
            {
                pos += 2;
                continue;
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(d.Slice(pos + 2, 2));
            if (length < 2 || pos + 2 + length > d.Length)
            {
                throw Truncated(ImageFormat.Jpeg);
            }

            var segment = d.Slice(pos + 4, length - 2);
            if (marker == 0xE1 && segment.Length > 6 && segment[..6].SequenceEqual("Exif\0\0"u8))
            {
                orientation = ExifOrientation(segment[6..]);
            }
            else if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC && segment.Length >= 6)
            {
                depth = segment[0];
                height = BinaryPrimitives.ReadUInt16BigEndian(segment.Slice(1, 2));
                width = BinaryPrimitives.ReadUInt16BigEndian(segment.Slice(3, 2));
                channels = segment[5];
            }
            else if (marker == 0xDA)
            {
                sosOffset = pos;
                break;
            }

            pos += 2 + length;
        }

        if (width == 0 || sosOffset < 0)
        {
            throw width == 0 && pos + 4 > d.Length
                ? Truncated(ImageFormat.Jpeg)
                : new InvalidImageException(ImageErrorKind.Corrupt, "The JPEG file has no frame header or no image data: it is damaged. Export the photo again.");
        }

        // In entropy-coded data 0xFF is always followed by 0x00 or a restart marker, so the first
        // FF D9 after the scan start is the end of image; without it the file was cut short.
        var truncated = d[sosOffset..].IndexOf((ReadOnlySpan<byte>)[0xFF, 0xD9]) < 0;
        return new ImageHeader(ImageFormat.Jpeg, width, height, channels, depth == 12 ? 16 : 8, orientation, truncated);
    }

    private static ImageHeader ReadTiff(ReadOnlySpan<byte> d)
    {
        var ifd = TiffFirstIfd(d) ?? throw Truncated(ImageFormat.Tiff);
        var width = ifd.GetValueOrDefault(256);
        var height = ifd.GetValueOrDefault(257);
        var bits = ifd.GetValueOrDefault(258, 8);
        var samples = ifd.GetValueOrDefault(277, 1);
        var orientation = ifd.GetValueOrDefault(274, 1);
        return new ImageHeader(ImageFormat.Tiff, ClampToInt(width), ClampToInt(height), (int)Math.Min(samples, 4), bits > 8 ? 16 : 8, NormaliseOrientation(orientation), false);
    }

    private static ImageHeader ReadWebP(ReadOnlySpan<byte> d)
    {
        if (d.Length < 30)
        {
            throw Truncated(ImageFormat.WebP);
        }

        var riffSize = BinaryPrimitives.ReadUInt32LittleEndian(d.Slice(4, 4));
        var truncated = riffSize + 8L > d.Length;
        var chunk = d.Slice(12, 4);
        var body = d[20..];
        if (chunk.SequenceEqual("VP8 "u8))
        {
            // Lossy: 3-byte frame tag, start code 9D 01 2A, then 14-bit width and height.
            if (body[3] != 0x9D || body[4] != 0x01 || body[5] != 0x2A)
            {
                throw new InvalidImageException(ImageErrorKind.Corrupt, "The WebP (lossy) frame header is damaged. Export the photo again.");
            }

            var w = BinaryPrimitives.ReadUInt16LittleEndian(body.Slice(6, 2)) & 0x3FFF;
            var h = BinaryPrimitives.ReadUInt16LittleEndian(body.Slice(8, 2)) & 0x3FFF;
            return new ImageHeader(ImageFormat.WebP, w, h, 3, 8, 1, truncated);
        }

        if (chunk.SequenceEqual("VP8L"u8))
        {
            var bitsValue = BinaryPrimitives.ReadUInt32LittleEndian(body.Slice(1, 4));
            var w = (int)(bitsValue & 0x3FFF) + 1;
            var h = (int)((bitsValue >> 14) & 0x3FFF) + 1;
            var alpha = ((bitsValue >> 28) & 1) == 1;
            return new ImageHeader(ImageFormat.WebP, w, h, alpha ? 4 : 3, 8, 1, truncated);
        }

        if (chunk.SequenceEqual("VP8X"u8))
        {
            var flags = body[0];
            var w = (body[4] | (body[5] << 8) | (body[6] << 16)) + 1;
            var h = (body[7] | (body[8] << 8) | (body[9] << 16)) + 1;
            var orientation = 1;
            // 64-bit positions: chunk sizes are 32-bit unsigned and a forged one must not wrap.
            var pos = 12L + 8 + BinaryPrimitives.ReadUInt32LittleEndian(d.Slice(16, 4));
            while (pos + 8 <= d.Length)
            {
                long size = BinaryPrimitives.ReadUInt32LittleEndian(d.Slice((int)pos + 4, 4));
                if (d.Slice((int)pos, 4).SequenceEqual("EXIF"u8) && pos + 8 + size <= d.Length)
                {
                    var exif = d.Slice((int)pos + 8, (int)size);
                    orientation = ExifOrientation(exif.Length > 6 && exif[..6].SequenceEqual("Exif\0\0"u8) ? exif[6..] : exif);
                }

                pos += 8 + size + (size & 1);
            }

            return new ImageHeader(ImageFormat.WebP, w, h, (flags & 0x10) != 0 ? 4 : 3, 8, orientation, truncated);
        }

        throw new InvalidImageException(ImageErrorKind.Corrupt, "The WebP file has an unknown first chunk: it is damaged or uses an unsupported variant.");
    }

    private static ImageHeader ReadBmp(ReadOnlySpan<byte> d)
    {
        if (d.Length < 26)
        {
            throw Truncated(ImageFormat.Bmp);
        }

        var dibSize = BinaryPrimitives.ReadUInt32LittleEndian(d.Slice(14, 4));
        int width, height, bits;
        if (dibSize == 12)
        {
            width = BinaryPrimitives.ReadInt16LittleEndian(d.Slice(18, 2));
            height = BinaryPrimitives.ReadInt16LittleEndian(d.Slice(20, 2));
            bits = BinaryPrimitives.ReadInt16LittleEndian(d.Slice(24, 2));
        }
        else
        {
            if (d.Length < 30)
            {
                throw Truncated(ImageFormat.Bmp);
            }

            width = BinaryPrimitives.ReadInt32LittleEndian(d.Slice(18, 4));
            // Negative = top-down rows. Widened first: Math.Abs(int.MinValue) overflows.
            height = ClampToInt(Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(d.Slice(22, 4))));
            bits = BinaryPrimitives.ReadInt16LittleEndian(d.Slice(28, 2));
        }

        var fileSize = BinaryPrimitives.ReadUInt32LittleEndian(d.Slice(2, 4));
        return new ImageHeader(ImageFormat.Bmp, width, height, bits switch { 32 => 4, 8 or 4 or 1 => 1, _ => 3 }, 8, 1, fileSize > d.Length);
    }

    /// <summary>Reads the orientation tag (274) from a TIFF-structured EXIF block; 1 when absent.</summary>
    internal static int ExifOrientation(ReadOnlySpan<byte> tiff)
    {
        var ifd = TiffFirstIfd(tiff);
        return ifd is null ? 1 : NormaliseOrientation(ifd.GetValueOrDefault(274, 1));
    }

    private static int NormaliseOrientation(long value) => value is >= 1 and <= 8 ? (int)value : 1;

    private static int ClampToInt(long value) => value > int.MaxValue ? int.MaxValue : (int)value;

    /// <summary>Reads SHORT/LONG scalar entries of the first IFD of a TIFF structure.</summary>
    private static Dictionary<int, long>? TiffFirstIfd(ReadOnlySpan<byte> d)
    {
        if (d.Length < 8)
        {
            return null;
        }

        var little = d[0] == 'I';
        if (!little && d[0] != 'M')
        {
            return null;
        }

        uint U32(ReadOnlySpan<byte> s) => little ? BinaryPrimitives.ReadUInt32LittleEndian(s) : BinaryPrimitives.ReadUInt32BigEndian(s);
        ushort U16(ReadOnlySpan<byte> s) => little ? BinaryPrimitives.ReadUInt16LittleEndian(s) : BinaryPrimitives.ReadUInt16BigEndian(s);

        var offset = U32(d.Slice(4, 4));
        if (offset + 2L > d.Length)
        {
            return null;
        }

        var count = U16(d.Slice((int)offset, 2));
        var result = new Dictionary<int, long>();
        for (var i = 0; i < count; i++)
        {
            var entry = (int)offset + 2 + (i * 12);
            if (entry + 12 > d.Length)
            {
                break;
            }

            int tag = U16(d.Slice(entry, 2));
            var type = U16(d.Slice(entry + 2, 2));
            long value = type switch
            {
                3 => U16(d.Slice(entry + 8, 2)),
                4 => U32(d.Slice(entry + 8, 4)),
                _ => -1,
            };
            if (value >= 0)
            {
                result[tag] = value;
            }
        }

        return result;
    }
}
