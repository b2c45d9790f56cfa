using OpenCvSharp;
using SmpVision.Pipeline.Imaging;

namespace SmpVision.Pipeline.Tests.Decoding;

public sealed class ImageDecoderTests
{
    private static readonly DecodingOptions Defaults = new();

    /// <summary>A 96x64 BGR gradient whose corners differ, so orientation is observable.</summary>
    private static Mat Gradient()
    {
        var mat = new Mat(64, 96, MatType.CV_8UC3);
        for (var y = 0; y < 64; y++)
        {
            for (var x = 0; x < 96; x++)
            {
                mat.Set(y, x, new Vec3b((byte)(x * 2), (byte)(y * 3), 100));
            }
        }

        return mat;
    }

    [Theory]
    [InlineData(".png")]
    [InlineData(".jpg")]
    [InlineData(".tiff")]
    [InlineData(".webp")]
    [InlineData(".bmp")]
    public void Decodes_every_supported_format(string extension)
    {
        using var source = Gradient();
        var bytes = source.ImEncode(extension);
        using var image = ImageDecoder.Decode(bytes, Defaults);
        Assert.Equal(96, image.WidthPixels);
        Assert.Equal(64, image.HeightPixels);
        Assert.Equal(extension.TrimStart('.').Replace("jpg", "jpeg", StringComparison.Ordinal), ImageHeaderReader.Name(image.Info.Format));
    }

    [Fact]
    public void Sixteen_bit_grey_with_alpha_becomes_8_bit_bgr_over_white()
    {
        using var grey16 = new Mat(64, 96, MatType.CV_16UC2, new Scalar(65535 / 2, 0));
        // Left half opaque mid-grey, right half fully transparent.
        using (var left = grey16[new Rect(0, 0, 48, 64)])
        {
            left.SetTo(new Scalar(65535 / 2, 65535));
        }

        using var bgra16 = new Mat();
        var planes = grey16.Split();
        try
        {
            Cv2.Merge([planes[0], planes[0], planes[0], planes[1]], bgra16);
        }
        finally
        {
            foreach (var p in planes)
            {
                p.Dispose();
            }
        }

        var png = bgra16.ImEncode(".png");
        using var image = ImageDecoder.Decode(png, Defaults);
        Assert.Equal(16, image.Info.BitDepth);
        Assert.Equal(4, image.Info.Channels);
        var opaque = image.Bgr.At<Vec3b>(10, 10);
        var transparent = image.Bgr.At<Vec3b>(10, 80);
        Assert.InRange(opaque.Item0, 126, 128);
        Assert.Equal(255, transparent.Item0);
    }

    [Fact]
    public void Grey_images_become_three_equal_channels()
    {
        using var grey = new Mat(64, 96, MatType.CV_8UC1, new Scalar(77));
        using var image = ImageDecoder.Decode(grey.ImEncode(".png"), Defaults);
        Assert.Equal(1, image.Info.Channels);
        Assert.Equal(new Vec3b(77, 77, 77), image.Bgr.At<Vec3b>(5, 5));
    }

    [Theory]
    [InlineData(1, 96, 64)]
    [InlineData(3, 96, 64)]
    [InlineData(6, 64, 96)]
    [InlineData(8, 64, 96)]
    [InlineData(5, 64, 96)]
    public void Orientation_moves_the_top_left_corner_where_exif_says(int orientation, int width, int height)
    {
        using var source = Gradient();
        using var oriented = ImageDecoder.ApplyOrientation(source.Clone(), orientation);
        Assert.Equal(width, oriented.Cols);
        Assert.Equal(height, oriented.Rows);
        var stored = source.At<Vec3b>(0, 0);
        // Where the stored top-left pixel lands after each EXIF transform.
        var (row, col) = orientation switch
        {
            1 or 5 => (0, 0),
            3 => (63, 95),
            6 => (0, 63),
            8 => (95, 0),
            _ => (0, 0),
        };
        Assert.Equal(stored, oriented.At<Vec3b>(row, col));
    }

    [Fact]
    public void Header_limits_refuse_before_decoding()
    {
        var small = new DecodingOptions { MaxPixels = 5000, MaxSidePixels = 20_000 };
        using var source = Gradient(); // 6144 pixels
        var ex = Assert.Throws<InvalidImageException>(() => ImageDecoder.Decode(source.ImEncode(".png"), small));
        Assert.Equal(ImageErrorKind.TooLarge, ex.Kind);
    }

    [Fact]
    public void Too_small_images_are_refused()
    {
        using var tiny = new Mat(20, 20, MatType.CV_8UC3, Scalar.All(128));
        var ex = Assert.Throws<InvalidImageException>(() => ImageDecoder.Decode(tiny.ImEncode(".png"), Defaults));
        Assert.Equal(ImageErrorKind.TooSmall, ex.Kind);
    }

    [Fact]
    public void Header_reader_reads_sizes_without_decoding()
    {
        using var source = Gradient();
        foreach (var ext in new[] { ".png", ".jpg", ".tiff", ".webp", ".bmp" })
        {
            var header = ImageHeaderReader.Read(source.ImEncode(ext));
            Assert.Equal((96, 64), (header.WidthPixels, header.HeightPixels));
            Assert.False(header.Truncated, ext);
        }
    }
}
