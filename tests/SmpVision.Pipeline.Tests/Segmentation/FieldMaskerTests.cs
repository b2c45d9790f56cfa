using OpenCvSharp;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Segmentation;
using SmpVision.Pipeline.Tests.Measurement;

namespace SmpVision.Pipeline.Tests.Segmentation;

public sealed class FieldMaskerTests
{
    private static Mat FrameWithOverlays()
    {
        var img = TrichoscopyFixture.Skin(640, 512, 3, new Scalar(170, 180, 205));
        // Info bar: grey boxes with white text along the top.
        Cv2.Rectangle(img, new Rect(0, 4, 200, 26), new Scalar(80, 80, 80), -1);
        Cv2.PutText(img, "A001 2022/01/05", new Point(6, 24), HersheyFonts.HersheySimplex, 0.6, Scalar.White, 1);
        Cv2.Rectangle(img, new Rect(210, 4, 150, 26), new Scalar(80, 80, 80), -1);
        Cv2.PutText(img, "70x mm", new Point(216, 24), HersheyFonts.HersheySimplex, 0.6, Scalar.White, 1);
        // Grey band along the bottom.
        Cv2.Rectangle(img, new Rect(0, 494, 640, 18), new Scalar(220, 220, 220), -1);
        // L-shaped scale bar, 200 px = 1.0 mm, with its label.
        Cv2.Line(img, new Point(30, 470), new Point(229, 470), new Scalar(20, 20, 20), 2);
        Cv2.Line(img, new Point(30, 271), new Point(30, 470), new Scalar(20, 20, 20), 2);
        Cv2.Rectangle(img, new Rect(240, 458, 80, 24), new Scalar(80, 80, 80), -1);
        Cv2.PutText(img, "1.0 mm", new Point(244, 476), HersheyFonts.HersheySimplex, 0.55, Scalar.White, 1);
        // Red drawn circle.
        Cv2.Circle(img, new Point(480, 250), 120, new Scalar(30, 30, 230), 2);
        return img;
    }

    [Fact]
    public void Masks_info_bar_band_scale_bar_and_red_circle()
    {
        using var img = FrameWithOverlays();
        using var mask = FieldMasker.Compute(img, new FieldMaskOptions(), CancellationToken.None);
        Assert.Equal(0, mask.AnalysableMask.At<byte>(15, 100));   // info bar
        Assert.Equal(0, mask.AnalysableMask.At<byte>(503, 320));  // grey band
        Assert.Equal(0, mask.AnalysableMask.At<byte>(470, 120));  // scale bar arm
        Assert.Equal(0, mask.AnalysableMask.At<byte>(470, 280));  // scale label
        Assert.Equal(0, mask.AnalysableMask.At<byte>(250, 360));  // red circle (left edge)
        Assert.Equal(255, mask.AnalysableMask.At<byte>(250, 200)); // skin
        Assert.True(mask.Summary.AnalysablePixels > 0.7 * 640 * 512);
        Assert.True(mask.Summary.AnalysablePixels < 0.95 * 640 * 512);
    }

    [Fact]
    public void Reads_scale_from_the_printed_bar()
    {
        using var img = FrameWithOverlays();
        using var mask = FieldMasker.Compute(img, new FieldMaskOptions(), CancellationToken.None);
        var scale = ScaleBarDetector.Detect(mask.HorizontalLines, mask.VerticalLines, mask.FlatBoxes, new ScaleBarOptions());
        Assert.NotNull(scale);
        Assert.Equal(ScaleSource.ScaleBar, scale.Source);
        Assert.InRange(scale.PixelsPerMillimetre, 194, 206);
        Assert.True(scale.RelativeUncertainty >= 0.15);
    }

    [Fact]
    public void Plain_skin_is_all_analysable_and_has_no_scale()
    {
        using var img = TrichoscopyFixture.Skin(320, 256, 5, new Scalar(150, 160, 190));
        using var mask = FieldMasker.Compute(img, new FieldMaskOptions(), CancellationToken.None);
        Assert.Equal(320 * 256, mask.Summary.AnalysablePixels);
        Assert.Null(ScaleBarDetector.Detect(mask.HorizontalLines, mask.VerticalLines, mask.FlatBoxes, new ScaleBarOptions()));
    }

    [Fact]
    public void Masks_a_dark_round_field_rim()
    {
        using var img = TrichoscopyFixture.Skin(400, 400, 7, new Scalar(150, 160, 190));
        using (var rim = new Mat(400, 400, MatType.CV_8UC1, Scalar.All(255)))
        {
            Cv2.Circle(rim, new Point(200, 200), 180, Scalar.All(0), -1);
            img.SetTo(new Scalar(8, 8, 8), rim);
        }

        using var mask = FieldMasker.Compute(img, new FieldMaskOptions(), CancellationToken.None);
        Assert.Equal(0, mask.AnalysableMask.At<byte>(5, 5));
        Assert.Equal(255, mask.AnalysableMask.At<byte>(200, 200));
        Assert.True(mask.Summary.RimPixels > 0.15 * 400 * 400);
    }

    /// <summary>
    /// Capture software that shades its info boxes semi-transparently over reddish skin, with
    /// off-white anti-aliased text, then sensor noise and JPEG 70: the boxes are neither
    /// achromatic to 8 levels nor their glyphs at 235 (the case tri8 found unmasked).
    /// </summary>
    private static Mat NoisyFrameWithShadedBar()
    {
        using var img = TrichoscopyFixture.Skin(640, 512, 11, new Scalar(120, 150, 215));
        foreach (var (x, width, text) in new[] { (0, 80, "S744"), (90, 180, "1280x1024"), (280, 200, "2022/10/21") })
        {
            var box = new Rect(x, 0, width, 40);
            using var roi = new Mat(img, box);
            using var solid = new Mat(roi.Size(), roi.Type(), new Scalar(72, 72, 72));
            Cv2.AddWeighted(roi, 0.15, solid, 0.85, 0, roi);
            var colour = x == 0 ? new Scalar(225, 215, 40) : new Scalar(235, 235, 235);
            Cv2.PutText(img, text, new Point(x + 4, 30), HersheyFonts.HersheySimplex, 0.8, colour, 1, LineTypes.AntiAlias);
        }

        using (var noise = new Mat(img.Size(), MatType.CV_16SC3))
        {
            Cv2.SetTheRNG(1); // per-thread RNG: the same noise on any thread
            Cv2.Randn(noise, Scalar.All(0), Scalar.All(3));
            using var wide = new Mat();
            img.ConvertTo(wide, MatType.CV_16SC3);
            Cv2.Add(wide, noise, wide);
            wide.ConvertTo(img, MatType.CV_8UC3);
        }

        Cv2.ImEncode(".jpg", img, out var jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, 70));
        return Cv2.ImDecode(jpeg, ImreadModes.Color);
    }

    [Fact]
    public void Masks_a_semi_transparent_info_bar_on_a_noisy_jpeg_and_not_the_scalp_beside_it()
    {
        using var img = NoisyFrameWithShadedBar();
        using var mask = FieldMasker.Compute(img, new FieldMaskOptions(), CancellationToken.None);
        foreach (var x in new[] { 5, 40, 120, 250, 300, 460 })
        {
            Assert.True(mask.AnalysableMask.At<byte>(15, x) == 0, $"x {x} analysable; boxes {string.Join(" ", mask.FlatBoxes)}"); // every field, the cyan one too
        }

        Assert.Equal(255, mask.AnalysableMask.At<byte>(55, 200)); // scalp below the bar
        Assert.Equal(255, mask.AnalysableMask.At<byte>(15, 600)); // scalp beside the bar's end
        // Masked: the 480 x 40 bar and its padding, not a full-width strip.
        Assert.True(mask.Summary.AnalysablePixels > (640 * 512) - (1.3 * 480 * 40));
    }

    [Fact]
    public void Default_options_are_valid_and_bad_ones_are_reported()
    {
        Assert.Empty(new FieldMaskOptions().Validate());
        Assert.NotEmpty(new FieldMaskOptions { BoxMaxSpread = -1 }.Validate());
        Assert.NotEmpty(new FieldMaskOptions { ThinLineMinLengthPixels = 2 }.Validate());
        Assert.Empty(new HairSegmentationOptions().Validate());
        Assert.NotEmpty(new HairSegmentationOptions { HighRelativeDarkness = 0.1, LowRelativeDarkness = 0.3 }.Validate());
    }
}
