using System.Buffers.Binary;
using OpenCvSharp;
using SmpVision.Pipeline.Imaging;

namespace SmpVision.Pipeline.Tests.Decoding;

/// <summary>
/// Decoding is bounded by bytes, not pixels (issue 17: a 787 kB 16-bit RGBA PNG within the 100 MP
/// limit once peaked at 10.2 GB before it was refused as blank), and very large photos decode reduced.
/// </summary>
public sealed class DecodingMemoryTests
{
    /// <summary>A complete, tiny PNG whose header claims width x height at the given depth and colour type.</summary>
    private static byte[] PngClaiming(uint width, uint height, byte depth, byte colourType)
    {
        var bytes = new List<byte> { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A };
        var ihdr = new byte[25];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, 13);
        "IHDR"u8.CopyTo(ihdr.AsSpan(4));
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(8), width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(12), height);
        ihdr[16] = depth;
        ihdr[17] = colourType;
        bytes.AddRange(ihdr);
        bytes.AddRange(Enumerable.Repeat((byte)0, 4000)); // padding: a few kB, like a flat-image bomb
        bytes.AddRange([0, 0, 0, 0, (byte)'I', (byte)'E', (byte)'N', (byte)'D', 0xAE, 0x42, 0x60, 0x82]);
        return [.. bytes];
    }

    [Fact]
    public void Sixteen_bit_rgba_within_the_pixel_limit_is_refused_by_its_decoded_bytes()
    {
        // 9000 x 9000 = 81 MP, under the 100 MP limit; 16-bit RGBA makes it 648 MB decoded.
        var png = PngClaiming(9000, 9000, 16, 6);
        var ex = Assert.Throws<InvalidImageException>(() => ImageDecoder.Inspect(png, new DecodingOptions()));
        Assert.Equal(ImageErrorKind.TooLarge, ex.Kind);
        Assert.Contains("MiB decoded", ex.Message, StringComparison.Ordinal);
        Assert.Contains("16-bit", ex.Message, StringComparison.Ordinal);

        // The same size as 8-bit grey (81 MB) passes the byte budget: the bound is bytes.
        Assert.Equal(81_000_000, ImageDecoder.DecodedBytes(ImageHeaderReader.Read(PngClaiming(9000, 9000, 8, 0))));
    }

    [Fact]
    public void A_file_that_compresses_implausibly_well_is_refused_before_decoding()
    {
        // 4000 x 4000 16-bit RGBA = 128 MB from a 4 kB file: 30000:1, a flat image or a bomb.
        var png = PngClaiming(4000, 4000, 16, 6);
        var ex = Assert.Throws<InvalidImageException>(() => ImageDecoder.Inspect(png, new DecodingOptions()));
        Assert.Equal(ImageErrorKind.NotAScalp, ex.Kind);
        Assert.Contains("before decoding", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(".jpg")]
    [InlineData(".png")]
    public void Photos_above_the_analysis_pixels_decode_reduced(string extension)
    {
        using var source = new Mat(1200, 1600, MatType.CV_8UC3, new Scalar(120, 140, 190));
        Cv2.Circle(source, new Point(400, 300), 100, new Scalar(30, 30, 30), -1);
        var bytes = source.ImEncode(extension);
        // 1.92 MP against a 0.5 MP budget: reduced by 2 per side.
        using var image = ImageDecoder.Decode(bytes, new DecodingOptions { MaxAnalysisPixels = 500_000 });
        Assert.Equal(2, image.Info.ReductionFactor);
        Assert.Equal(800, image.WidthPixels);
        Assert.Equal(600, image.HeightPixels);
        Assert.Equal(1600, image.Info.EncodedWidthPixels);

        // Under the budget nothing changes.
        using var full = ImageDecoder.Decode(bytes, new DecodingOptions());
        Assert.Equal(1, full.Info.ReductionFactor);
        Assert.Equal(1600, full.WidthPixels);
    }

    [Fact]
    public void Reduced_jpeg_keeps_the_exif_orientation_ours()
    {
        using var source = new Mat(600, 800, MatType.CV_8UC3, new Scalar(120, 140, 190));
        var jpeg = WithOrientation(source.ImEncode(".jpg"), 6);
        using var image = ImageDecoder.Decode(jpeg, new DecodingOptions { MaxAnalysisPixels = 200_000 });
        Assert.Equal(2, image.Info.ReductionFactor);
        Assert.Equal(6, image.Info.ExifOrientation);
        Assert.Equal(300, image.WidthPixels); // rotated once, not twice
        Assert.Equal(400, image.HeightPixels);
    }

    [Theory]
    [InlineData(1L, 24_000_000L, 1)]
    [InlineData(24_000_000L, 24_000_000L, 1)]
    [InlineData(48_000_000L, 24_000_000L, 2)]
    [InlineData(100_000_000L, 24_000_000L, 4)]
    [InlineData(10_000_000_000L, 24_000_000L, 8)]
    public void Reduction_factor_is_the_smallest_power_of_two_that_fits(long pixels, long max, int expected) =>
        Assert.Equal(expected, ImageDecoder.ReductionFactor(pixels, max));

    internal static byte[] WithOrientation(byte[] jpeg, ushort orientation)
    {
        var tiff = new byte[8 + 2 + 12 + 4];
        "II"u8.CopyTo(tiff);
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(2), 42);
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(4), 8);
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(8), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(10), 274);
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(12), 3);
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(14), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(18), orientation);
        byte[] payload = [.. "Exif\0\0"u8, .. tiff];
        var segment = new byte[4 + payload.Length];
        segment[0] = 0xFF;
        segment[1] = 0xE1;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)(payload.Length + 2));
        payload.CopyTo(segment, 4);
        return [.. jpeg[..2], .. segment, .. jpeg[2..]];
    }
}
