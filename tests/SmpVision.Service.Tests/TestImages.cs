using System.Buffers.Binary;
using OpenCvSharp;

namespace SmpVision.Service.Tests;

/// <summary>Small fixtures made in code: no real photo enters the repository.</summary>
internal static class TestImages
{
    /// <summary>A skin-coloured field with dark shaft-like strokes (BGR), deterministic.</summary>
    public static Mat ScalpLike(int width = 640, int height = 512, int seed = 1)
    {
        var rng = new Random(seed);
        var mat = new Mat(height, width, MatType.CV_8UC3, new Scalar(150, 170, 215));
        using (var noise = new Mat(height, width, MatType.CV_8UC3))
        {
            // OpenCV's RNG is per thread and shared with other code: seed it so the image is the same on any thread.
            Cv2.SetTheRNG((ulong)seed + 1);
            Cv2.Randn(noise, new Scalar(0, 0, 0), new Scalar(6, 6, 6));
            Cv2.Add(mat, noise, mat);
        }

        for (var i = 0; i < 25; i++)
        {
            var x = rng.Next(20, width - 60);
            var y = rng.Next(20, height - 60);
            Cv2.Line(mat, new Point(x, y), new Point(x + rng.Next(-40, 40), y + rng.Next(20, 50)), new Scalar(35, 30, 28), rng.Next(6, 12));
        }

        return mat;
    }

    public static byte[] ScalpLikePng(int width = 640, int height = 512, int seed = 1)
    {
        using var mat = ScalpLike(width, height, seed);
        return mat.ImEncode(".png");
    }

    public static byte[] ScalpLikeJpeg(int width = 640, int height = 512, int seed = 1)
    {
        using var mat = ScalpLike(width, height, seed);
        return mat.ImEncode(".jpg", new ImageEncodingParam(ImwriteFlags.JpegQuality, 90));
    }

    /// <summary>A JPEG with an EXIF APP1 segment carrying the given orientation tag.</summary>
    public static byte[] JpegWithOrientation(int width, int height, ushort orientation)
    {
        var jpeg = ScalpLikeJpeg(width, height);
        // TIFF header (little-endian) + IFD with one SHORT entry: tag 274 (orientation).
        var tiff = new byte[8 + 2 + 12 + 4];
        "II"u8.CopyTo(tiff);
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(2), 42);
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(4), 8);
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(8), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(10), 274);
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(12), 3);
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(14), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(18), orientation);
        var payload = "Exif\0\0"u8.ToArray().Concat(tiff).ToArray();
        var segment = new byte[4 + payload.Length];
        segment[0] = 0xFF;
        segment[1] = 0xE1;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)(payload.Length + 2));
        payload.CopyTo(segment, 4);
        return jpeg[..2].Concat(segment).Concat(jpeg[2..]).ToArray();
    }

    /// <summary>A tiny PNG whose header claims width x height pixels: a decompression bomb's header.</summary>
    public static byte[] PngHeaderClaiming(uint width, uint height)
    {
        var bytes = new List<byte> { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A };
        var ihdr = new byte[25];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, 13);
        "IHDR"u8.CopyTo(ihdr.AsSpan(4));
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(8), width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(12), height);
        ihdr[16] = 8; // depth
        ihdr[17] = 2; // RGB
        bytes.AddRange(ihdr);
        // IDAT with a few bytes and IEND: the file is complete but tiny.
        bytes.AddRange([0, 0, 0, 2, (byte)'I', (byte)'D', (byte)'A', (byte)'T', 0x78, 0x9C, 0, 0, 0, 0]);
        bytes.AddRange([0, 0, 0, 0, (byte)'I', (byte)'E', (byte)'N', (byte)'D', 0xAE, 0x42, 0x60, 0x82]);
        return [.. bytes];
    }

    /// <summary>A JPEG whose Huffman tables are overwritten: the header parses, the data cannot decode.</summary>
    public static byte[] JpegWithDamagedTables()
    {
        var jpeg = ScalpLikeJpeg(256, 256);
        for (var i = 2; i + 4 < jpeg.Length; i++)
        {
            if (jpeg[i] == 0xFF && jpeg[i + 1] == 0xC4)
            {
                var length = (jpeg[i + 2] << 8) | jpeg[i + 3];
                for (var j = i + 4; j < i + 2 + length; j++)
                {
                    jpeg[j] = 0xFF;
                }

                break;
            }
        }

        return jpeg;
    }

    /// <summary>Saturated colour bars (a test card): decodes fine but is no scalp.</summary>
    public static byte[] ColourBarsPng()
    {
        Scalar[] bars = [new(255, 255, 0), new(0, 255, 255), new(0, 255, 0), new(255, 0, 255), new(0, 0, 255), new(255, 0, 0), new(0, 128, 255), new(255, 128, 0)];
        using var mat = new Mat(300, 400, MatType.CV_8UC3, Scalar.All(0));
        for (var i = 0; i < bars.Length; i++)
        {
            using var bar = mat[new Rect(i * 50, 0, 50, 300)];
            bar.SetTo(bars[i]);
        }

        return mat.ImEncode(".png");
    }

    /// <summary>Black text lines on white paper (a scanned document): no scalp.</summary>
    public static byte[] DocumentPng()
    {
        using var mat = new Mat(400, 300, MatType.CV_8UC3, Scalar.All(250));
        for (var y = 30; y < 380; y += 22)
        {
            Cv2.PutText(mat, "Consent form, page 1", new Point(12, y), HersheyFonts.HersheySimplex, 0.5, Scalar.All(20), 1);
        }

        return mat.ImEncode(".png");
    }
}
