using System.Buffers.Binary;
using OpenCvSharp;

namespace SmpVision.Service.Tests;

/// <summary>One hostile input: a name for the failure report and the bytes.</summary>
public sealed record HostileCase(string Name, byte[] Bytes);

/// <summary>
/// Generates a deterministic corpus of malformed images (issue 17): truncations, bit flips and
/// header damage of every format and layout (8/16-bit, grey, alpha, CMYK TIFF, animated PNG and
/// WebP), decompression bombs in every format, extreme aspect ratios, EXIF orientations 1-8 and
/// malformed EXIF. Bases are small (192x160) so that the cases that do decode analyse quickly.
/// </summary>
public static class HostileCorpus
{
    public static IReadOnlyList<HostileCase> Generate()
    {
        var cases = new List<HostileCase>();
        var bases = Bases();
        foreach (var (name, bytes) in bases)
        {
            cases.AddRange(Truncations(name, bytes));
            cases.AddRange(BitFlips(name, bytes, seeds: 12));
            cases.AddRange(HeaderDamage(name, bytes, seeds: 6));
        }

        cases.AddRange(Bombs());
        cases.AddRange(AspectRatios());
        cases.AddRange(Orientations());
        cases.AddRange(MalformedExif());
        cases.AddRange(Garbage(bases));
        return cases;
    }

    /// <summary>Valid small images of every format and layout the decoder meets.</summary>
    public static List<(string Name, byte[] Bytes)> Bases()
    {
        using var bgr = TestImages.ScalpLike(192, 160, seed: 7);
        using var grey = new Mat();
        Cv2.CvtColor(bgr, grey, ColorConversionCodes.BGR2GRAY);
        using var bgra = new Mat();
        Cv2.CvtColor(bgr, bgra, ColorConversionCodes.BGR2BGRA);
        using var bgra16 = new Mat();
        bgra.ConvertTo(bgra16, MatType.CV_16UC4, 257);
        using var bgr16 = new Mat();
        bgr.ConvertTo(bgr16, MatType.CV_16UC3, 257);
        var png = bgr.ImEncode(".png");
        var webp = bgr.ImEncode(".webp", new ImageEncodingParam(ImwriteFlags.WebPQuality, 80));
        var webpLossless = bgr.ImEncode(".webp", new ImageEncodingParam(ImwriteFlags.WebPQuality, 101));
        return
        [
            ("jpeg", bgr.ImEncode(".jpg", new ImageEncodingParam(ImwriteFlags.JpegQuality, 90))),
            ("jpeg-progressive", bgr.ImEncode(".jpg", new ImageEncodingParam(ImwriteFlags.JpegProgressive, 1))),
            ("jpeg-grey", grey.ImEncode(".jpg")),
            ("png", png),
            ("png-grey", grey.ImEncode(".png")),
            ("png-rgba16", bgra16.ImEncode(".png")),
            ("tiff", bgr.ImEncode(".tiff")),
            ("tiff-16", bgr16.ImEncode(".tiff")),
            ("tiff-cmyk", CmykTiff(bgr)),
            ("webp", webp),
            ("webp-lossless", webpLossless),
            ("webp-animated", AnimatedWebP(webp, 192, 160)),
            ("png-animated", AnimatedPng(png)),
            ("bmp", bgr.ImEncode(".bmp")),
            ("bmp-32", bgra.ImEncode(".bmp")),
        ];
    }

    private static IEnumerable<HostileCase> Truncations(string name, byte[] bytes)
    {
        int[] cuts = [0, 1, 2, 3, 8, 16, 33, bytes.Length / 10, bytes.Length / 4, bytes.Length / 2, bytes.Length * 3 / 4, bytes.Length - 2, bytes.Length - 1];
        return cuts.Where(c => c >= 0 && c < bytes.Length).Distinct().Select(c => new HostileCase($"{name} truncated to {c} B", bytes[..c]));
    }

    private static IEnumerable<HostileCase> BitFlips(string name, byte[] bytes, int seeds)
    {
        for (var seed = 0; seed < seeds; seed++)
        {
            var rng = new Random((name.GetHashCode(StringComparison.Ordinal) & 0xFFFF) ^ (seed * 7919));
            var copy = bytes.ToArray();
            var flips = 1 + (seed % 8);
            for (var i = 0; i < flips; i++)
            {
                var at = rng.Next(copy.Length);
                copy[at] ^= (byte)(1 << rng.Next(8));
            }

            yield return new HostileCase($"{name} {flips} bit flips (seed {seed})", copy);
        }
    }

    /// <summary>Extreme values written over the first bytes, where sizes, depths and offsets live.</summary>
    private static IEnumerable<HostileCase> HeaderDamage(string name, byte[] bytes, int seeds)
    {
        uint[] values = [0, 1, 0x7FFF, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF];
        for (var seed = 0; seed < seeds; seed++)
        {
            var rng = new Random(seed * 104729 + name.Length);
            var copy = bytes.ToArray();
            var at = 2 + rng.Next(Math.Min(60, copy.Length - 6));
            BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(at), values[rng.Next(values.Length)]);
            yield return new HostileCase($"{name} header word at {at} overwritten (seed {seed})", copy);
        }
    }

    /// <summary>Small files whose headers claim enormous images, in every format.</summary>
    private static IEnumerable<HostileCase> Bombs()
    {
        yield return new HostileCase("png bomb 100000x100000", TestImages.PngHeaderClaiming(100_000, 100_000));
        yield return new HostileCase("png bomb 9000x9000 rgba16", PngClaiming(9000, 9000, 16, 6));
        yield return new HostileCase("png bomb 8000x8000 rgba16", PngClaiming(8000, 8000, 16, 6));
        yield return new HostileCase("png bomb 5000x5000 rgb8", PngClaiming(5000, 5000, 8, 2));
        yield return new HostileCase("png bomb 1x100000000", PngClaiming(1, 100_000_000, 8, 0));
        yield return new HostileCase("png bomb 4294967295 square", PngClaiming(uint.MaxValue, uint.MaxValue, 8, 2));
        var jpeg = TestImages.ScalpLikeJpeg(192, 160);
        foreach (var (w, h) in new[] { (65535, 65535), (65000, 1000), (12000, 8000), (0, 0) })
        {
            yield return new HostileCase($"jpeg bomb SOF {w}x{h}", JpegClaiming(jpeg, (ushort)w, (ushort)h));
        }

        foreach (var (w, h) in new[] { (1_000_000u, 1_000_000u), (9000u, 9000u), (0u, 5u) })
        {
            yield return new HostileCase($"tiff bomb {w}x{h}", TiffClaiming(w, h));
        }

        yield return new HostileCase("webp VP8L bomb 16384x16384", WebPLosslessClaiming(16384, 16384));
        yield return new HostileCase("webp VP8X bomb 16777216 square", WebPExtendedClaiming(16_777_216, 16_777_216));
        yield return new HostileCase("webp VP8X bomb 9000x9000", WebPExtendedClaiming(9000, 9000));
        foreach (var (w, h) in new[] { (1_000_000, 1_000_000), (9000, -9000), (640, int.MinValue), (int.MinValue, 640), (-640, 480), (30000, 30000) })
        {
            yield return new HostileCase($"bmp bomb {w}x{h}", BmpClaiming(w, h));
        }
    }

    private static IEnumerable<HostileCase> AspectRatios()
    {
        foreach (var (w, h) in new[] { (20000, 64), (64, 20000), (64, 64), (8000, 65), (65, 8000), (20001, 64), (63, 4000), (4000, 63) })
        {
            using var mat = new Mat(h, w, MatType.CV_8UC3, new Scalar(150, 170, 215));
            Cv2.Line(mat, new Point(0, 0), new Point(w - 1, h - 1), new Scalar(30, 30, 30), 3);
            yield return new HostileCase($"png aspect {w}x{h}", mat.ImEncode(".png"));
            if (w <= 8000 && h <= 8000)
            {
                yield return new HostileCase($"jpeg aspect {w}x{h}", mat.ImEncode(".jpg"));
            }
        }
    }

    private static IEnumerable<HostileCase> Orientations()
    {
        for (ushort o = 0; o <= 9; o++)
        {
            yield return new HostileCase($"jpeg exif orientation {o}", TestImages.JpegWithOrientation(192, 160, o));
        }

        yield return new HostileCase("jpeg exif orientation 65535", TestImages.JpegWithOrientation(192, 160, 65535));
    }

    /// <summary>EXIF blocks that lie: offsets past the end, huge counts, wrong types, cut segments.</summary>
    private static IEnumerable<HostileCase> MalformedExif()
    {
        var jpeg = TestImages.ScalpLikeJpeg(192, 160);
        byte[][] payloads =
        [
            [.. "Exif\0\0"u8, .. "II"u8, 42, 0, 0xFF, 0xFF, 0xFF, 0x7F], // IFD offset far past the end
            [.. "Exif\0\0"u8, .. "MM"u8, 0, 42, 0, 0, 0, 8, 0xFF, 0xFF], // 65535 entries, none present
            [.. "Exif\0\0"u8, .. "II"u8, 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 0x09, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 6, 0, 0, 0], // orientation as an unknown type
            [.. "Exif\0\0"u8, .. "XX"u8, 42, 0, 8, 0, 0, 0], // unknown byte order
            [.. "Exif\0\0"u8], // empty TIFF block
            [.. "Exif\0\0"u8, .. "II"u8, 42, 0, 0xF8, 0xFF, 0xFF, 0xFF], // offset that wraps when added
            [.. "Exif\0"u8], // short signature
        ];
        foreach (var (payload, i) in payloads.Select((p, i) => (p, i)))
        {
            var segment = new byte[4 + payload.Length];
            segment[0] = 0xFF;
            segment[1] = 0xE1;
            BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)(payload.Length + 2));
            payload.CopyTo(segment, 4);
            yield return new HostileCase($"jpeg malformed exif {i}", [.. jpeg[..2], .. segment, .. jpeg[2..]]);
        }

        // An APP1 whose length runs past the end of the file, and one of length 0 and 1.
        foreach (ushort length in new ushort[] { 0xFFFF, 0, 1 })
        {
            yield return new HostileCase($"jpeg APP1 length {length}", [.. jpeg[..2], 0xFF, 0xE1, (byte)(length >> 8), (byte)length, .. "Exif\0\0"u8, .. jpeg[2..]]);
        }

        var png = TestImages.ScalpLikePng(192, 160);
        yield return new HostileCase("png eXIf garbage", InsertPngChunk(png, "eXIf", [0x49, 0x49, 42, 0, 0xFF, 0xFF, 0xFF, 0xFF]));
        yield return new HostileCase("png eXIf huge length", [.. png[..33], 0x7F, 0xFF, 0xFF, 0xFF, .. "eXIf"u8, 1, 2, 3, .. png[33..]]);
        var webp = TestImages.ScalpLike(192, 160).ImEncode(".webp");
        yield return new HostileCase("webp VP8X with an EXIF chunk of huge size", WebPExtendedWithExif(webp, 192, 160, 0x7FFFFFF0));
        yield return new HostileCase("webp VP8X with garbage EXIF", WebPExtendedWithExif(webp, 192, 160, null));
    }

    /// <summary>Random bytes behind each valid signature.</summary>
    private static IEnumerable<HostileCase> Garbage(List<(string Name, byte[] Bytes)> bases)
    {
        var rng = new Random(4242);
        foreach (var (name, bytes) in bases)
        {
            foreach (var keep in new[] { 4, 12, 40 })
            {
                var copy = new byte[bytes.Length];
                rng.NextBytes(copy);
                bytes.AsSpan(0, Math.Min(keep, bytes.Length)).CopyTo(copy);
                yield return new HostileCase($"{name} signature + random bytes after {keep}", copy);
            }
        }
    }

    private static byte[] PngClaiming(uint width, uint height, byte depth, byte colourType)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = depth;
        ihdr[9] = colourType;
        byte[] signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        return [.. signature, .. PngChunk("IHDR", ihdr), .. PngChunk("IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]), .. PngChunk("IEND", [])];
    }

    private static byte[] PngChunk(string type, byte[] data)
    {
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)data.Length);
        System.Text.Encoding.ASCII.GetBytes(type).CopyTo(chunk, 4);
        data.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32(chunk.AsSpan(4, 4 + data.Length)));
        return chunk;
    }

    /// <summary>Inserts a chunk right after IHDR (which always ends at byte 33).</summary>
    private static byte[] InsertPngChunk(byte[] png, string type, byte[] data) => [.. png[..33], .. PngChunk(type, data), .. png[33..]];

    /// <summary>
    /// An APNG: acTL (2 frames) after IHDR, fcTL before the IDAT, then a second frame as fcTL +
    /// fdAT holding the same compressed data.
    /// </summary>
    private static byte[] AnimatedPng(byte[] png)
    {
        var idat = new List<byte>();
        var pos = 8;
        while (pos + 8 <= png.Length)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos));
            if (png.AsSpan(pos + 4, 4).SequenceEqual("IDAT"u8))
            {
                idat.AddRange(png.AsSpan(pos + 8, length).ToArray());
            }

            pos += 12 + length;
        }

        var actl = new byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(actl, 2);
        byte[] Fctl(uint sequence)
        {
            var f = new byte[26];
            BinaryPrimitives.WriteUInt32BigEndian(f, sequence);
            BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(4), 192);
            BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(8), 160);
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(20), 1);
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(22), 10);
            return f;
        }

        var fdat = new byte[4 + idat.Count];
        BinaryPrimitives.WriteUInt32BigEndian(fdat, 2);
        idat.CopyTo(fdat, 4);
        return [.. png[..33], .. PngChunk("acTL", actl), .. PngChunk("fcTL", Fctl(0)), .. PngChunk("IDAT", [.. idat]), .. PngChunk("fcTL", Fctl(1)), .. PngChunk("fdAT", fdat), .. PngChunk("IEND", [])];
    }

    /// <summary>An animated WebP: VP8X (animation flag), ANIM, and two ANMF frames wrapping the lossy frame.</summary>
    private static byte[] AnimatedWebP(byte[] webp, int width, int height)
    {
        var frame = webp[12..]; // the "VP8 " chunk with its header
        var vp8x = new byte[10];
        vp8x[0] = 0x02; // animation
        WriteUInt24(vp8x.AsSpan(4), width - 1);
        WriteUInt24(vp8x.AsSpan(7), height - 1);
        byte[] anim = [0, 0, 0, 0, 0, 0];
        var anmfHeader = new byte[16];
        WriteUInt24(anmfHeader.AsSpan(6), width - 1);
        WriteUInt24(anmfHeader.AsSpan(9), height - 1);
        WriteUInt24(anmfHeader.AsSpan(12), 100);
        byte[] anmf = [.. anmfHeader, .. frame];
        byte[] body = [.. "WEBP"u8, .. RiffChunk("VP8X", vp8x), .. RiffChunk("ANIM", anim), .. RiffChunk("ANMF", anmf), .. RiffChunk("ANMF", anmf)];
        return [.. "RIFF"u8, .. LittleEndian32(body.Length), .. body];
    }

    private static byte[] WebPExtendedWithExif(byte[] webp, int width, int height, uint? declaredExifSize)
    {
        var vp8x = new byte[10];
        vp8x[0] = 0x08; // EXIF present
        WriteUInt24(vp8x.AsSpan(4), width - 1);
        WriteUInt24(vp8x.AsSpan(7), height - 1);
        byte[] exif = declaredExifSize is { } size
            ? [.. "EXIF"u8, .. LittleEndian32((int)size), 1, 2, 3, 4]
            : RiffChunk("EXIF", [.. "II"u8, 42, 0, 0xFF, 0xFF, 0, 0, 9, 9, 9]);
        byte[] body = [.. "WEBP"u8, .. RiffChunk("VP8X", vp8x), .. webp[12..], .. exif];
        return [.. "RIFF"u8, .. LittleEndian32(body.Length), .. body];
    }

    private static byte[] WebPLosslessClaiming(int width, int height)
    {
        var bits = (uint)(width - 1) | ((uint)(height - 1) << 14);
        byte[] vp8l = [0x2F, .. LittleEndian32((int)bits), .. new byte[20]];
        byte[] body = [.. "WEBP"u8, .. RiffChunk("VP8L", vp8l)];
        return [.. "RIFF"u8, .. LittleEndian32(body.Length), .. body];
    }

    private static byte[] WebPExtendedClaiming(int width, int height)
    {
        var vp8x = new byte[10];
        WriteUInt24(vp8x.AsSpan(4), width - 1);
        WriteUInt24(vp8x.AsSpan(7), height - 1);
        byte[] body = [.. "WEBP"u8, .. RiffChunk("VP8X", vp8x), .. RiffChunk("VP8L", [0x2F, 0, 0, 0, 0, .. new byte[16]])];
        return [.. "RIFF"u8, .. LittleEndian32(body.Length), .. body];
    }

    private static byte[] JpegClaiming(byte[] jpeg, ushort width, ushort height)
    {
        var copy = jpeg.ToArray();
        for (var i = 2; i + 9 < copy.Length; i++)
        {
            if (copy[i] == 0xFF && copy[i + 1] is 0xC0 or 0xC2)
            {
                BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(i + 5), height);
                BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(i + 7), width);
                break;
            }
        }

        return copy;
    }

    /// <summary>An uncompressed little-endian TIFF whose IFD claims the size, with an 8-byte strip.</summary>
    private static byte[] TiffClaiming(uint width, uint height) => Tiff(width, height, 3, 2, new byte[8]);

    /// <summary>A real CMYK (separated, 4 samples) uncompressed TIFF of the image.</summary>
    private static byte[] CmykTiff(Mat bgr)
    {
        int rows = bgr.Rows, cols = bgr.Cols;
        var pixels = new byte[rows * cols * 4];
        var i = 0;
        for (var y = 0; y < rows; y++)
        {
            for (var x = 0; x < cols; x++)
            {
                var p = bgr.At<Vec3b>(y, x);
                var k = 255 - Math.Max(p.Item2, Math.Max(p.Item1, p.Item0));
                pixels[i++] = (byte)(255 - p.Item2 - k < 0 ? 0 : 255 - p.Item2 - k);
                pixels[i++] = (byte)(255 - p.Item1 - k < 0 ? 0 : 255 - p.Item1 - k);
                pixels[i++] = (byte)(255 - p.Item0 - k < 0 ? 0 : 255 - p.Item0 - k);
                pixels[i++] = (byte)k;
            }
        }

        return Tiff((uint)cols, (uint)rows, 4, 5, pixels);
    }

    private static byte[] Tiff(uint width, uint height, ushort samples, ushort photometric, byte[] strip)
    {
        (ushort Tag, ushort Type, uint Value)[] entries =
        [
            (256, 4, width), (257, 4, height), (258, 3, 8), (259, 3, 1), (262, 3, photometric),
            (273, 4, 0), (277, 3, samples), (278, 4, height), (279, 4, (uint)strip.Length), (284, 3, 1),
        ];
        var ifdSize = 2 + (entries.Length * 12) + 4;
        var dataOffset = (uint)(8 + ifdSize);
        var file = new byte[dataOffset + strip.Length];
        "II"u8.CopyTo(file);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(2), 42);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(4), 8);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(8), (ushort)entries.Length);
        for (var e = 0; e < entries.Length; e++)
        {
            var at = 10 + (e * 12);
            var (tag, type, value) = entries[e];
            BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(at), tag);
            BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(at + 2), type);
            BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(at + 4), 1);
            var v = tag == 273 ? dataOffset : value;
            if (type == 3)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(at + 8), (ushort)v);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(at + 8), v);
            }
        }

        strip.CopyTo(file, (int)dataOffset);
        return file;
    }

    private static byte[] BmpClaiming(int width, int height)
    {
        var bmp = new byte[54 + 64];
        "BM"u8.CopyTo(bmp);
        BinaryPrimitives.WriteUInt32LittleEndian(bmp.AsSpan(2), (uint)bmp.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(bmp.AsSpan(10), 54);
        BinaryPrimitives.WriteUInt32LittleEndian(bmp.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), height);
        BinaryPrimitives.WriteUInt16LittleEndian(bmp.AsSpan(26), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(bmp.AsSpan(28), 24);
        return bmp;
    }

    private static byte[] RiffChunk(string type, byte[] data)
    {
        var padded = data.Length + (data.Length & 1);
        var chunk = new byte[8 + padded];
        System.Text.Encoding.ASCII.GetBytes(type).CopyTo(chunk, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(4), (uint)data.Length);
        data.CopyTo(chunk, 8);
        return chunk;
    }

    private static byte[] LittleEndian32(int value)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, value);
        return b;
    }

    private static void WriteUInt24(Span<byte> at, int value)
    {
        at[0] = (byte)value;
        at[1] = (byte)(value >> 8);
        at[2] = (byte)(value >> 16);
    }

    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }
}
