using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Comparison;
using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Tests.Comparison;

public sealed class ImageRegistrationTests
{
    internal static readonly KnownWarp FollowUpWarp = new(
        RotationDegrees: 12, ScaleFactor: 1.05, ShiftXPixels: 14, ShiftYPixels: -10,
        PerspectiveX: 0.04, PerspectiveY: -0.03, Contrast: 0.8, BrightnessOffset: 25);

    [Fact]
    public void Recovers_a_known_rotation_scale_perspective_and_brightness_change()
    {
        var hairs = SyntheticScalpFixture.Hairs(seed: 3, count: 60, 70, 410);
        using var before = SyntheticScalpFixture.Render(textureSeed: 11, hairs, warp: null);
        using var after = SyntheticScalpFixture.Render(textureSeed: 11, hairs, FollowUpWarp);

        var result = ImageRegistration.Register(before.ToSide().ForRegistration(), after.ToSide().ForRegistration(), new RegistrationOptions(), CancellationToken.None);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(RegistrationMethod.FeatureHomography, result.Method);
        var error = KnownWarp.MedianGridErrorPixels(FollowUpWarp.Homography(SyntheticScalpFixture.Width, SyntheticScalpFixture.Height),
            result.HomographyAfterToBefore!, SyntheticScalpFixture.Width, SyntheticScalpFixture.Height, 16);
        Assert.True(error < 1.0, $"grid error {error:F2} px");
        Assert.True(result.MedianReprojectionErrorPixels < 1.0);
        Assert.InRange(result.ScaleFactor!.Value, 1 / 1.05 - 0.03, 1 / 1.05 + 0.03);
        Assert.True(result.InlierCount >= new RegistrationOptions().MinInliers);
        Assert.InRange(result.OverlapFraction!.Value, 0.5, 1.0);
    }

    [Fact]
    public void Refuses_two_unrelated_frames()
    {
        using var a = SyntheticScalpFixture.Render(textureSeed: 21, SyntheticScalpFixture.Hairs(5, 60, 70, 410), warp: null);
        using var b = SyntheticScalpFixture.Render(textureSeed: 22, SyntheticScalpFixture.Hairs(6, 60, 70, 410), FollowUpWarp);

        var result = ImageRegistration.Register(a.Image, b.Image, new RegistrationOptions(), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Contains(result.Refusal, new[] { RegistrationRefusal.TooFewMatches, RegistrationRefusal.TooFewInliers, RegistrationRefusal.InliersNotSpread, RegistrationRefusal.LowCorrelation });
        Assert.Null(result.HomographyAfterToBefore);
        Assert.False(string.IsNullOrWhiteSpace(result.Message));
    }

    [Fact]
    public void Refuses_a_mirrored_frame()
    {
        var hairs = SyntheticScalpFixture.Hairs(seed: 8, count: 60, 70, 410);
        using var before = SyntheticScalpFixture.Render(textureSeed: 31, hairs, warp: null);
        using var mirrored = new OpenCvSharp.Mat();
        OpenCvSharp.Cv2.Flip(before.Image.Bgr, mirrored, OpenCvSharp.FlipMode.Y);
        using var after = Imaging.ScalpImage.FromBgr(mirrored.Clone());

        var result = ImageRegistration.Register(before.Image, after, new RegistrationOptions(), CancellationToken.None);

        Assert.False(result.Succeeded);
    }

    [Fact]
    public void Refuses_different_modalities_and_scales_before_any_image_work()
    {
        using var frame = SyntheticScalpFixture.Render(textureSeed: 41, SyntheticScalpFixture.Hairs(9, 10, 70, 410), warp: null);
        var options = new RegistrationOptions();

        var modality = ImageRegistration.Register(
            new RegistrationSide(frame.Image, Modality.Trichoscopy), new RegistrationSide(frame.Image, Modality.Overhead), options, CancellationToken.None);
        Assert.Equal(RegistrationRefusal.ModalityMismatch, modality.Refusal);

        var scale = ImageRegistration.Register(
            new RegistrationSide(frame.Image, Modality.Trichoscopy, new Scale(361, ScaleSource.DeviceProfile, 0.15, "70x")),
            new RegistrationSide(frame.Image, Modality.Trichoscopy, new Scale(187, ScaleSource.DeviceProfile, 0.15, "15x")),
            options, CancellationToken.None);
        Assert.Equal(RegistrationRefusal.ScaleMismatch, scale.Refusal);

        var close = ImageRegistration.Register(
            new RegistrationSide(frame.Image, Modality.Trichoscopy, new Scale(361, ScaleSource.DeviceProfile, 0.15, "70x")),
            new RegistrationSide(frame.Image, Modality.Trichoscopy, new Scale(380, ScaleSource.DeviceProfile, 0.15, "70x")),
            options, CancellationToken.None);
        Assert.True(close.Succeeded, close.Message);
    }

    [Fact]
    public void Registers_a_frame_onto_itself_as_identity()
    {
        using var frame = SyntheticScalpFixture.Render(textureSeed: 51, SyntheticScalpFixture.Hairs(10, 40, 70, 410), warp: null);

        var result = ImageRegistration.Register(frame.Image, frame.Image, new RegistrationOptions(), CancellationToken.None);

        Assert.True(result.Succeeded, result.Message);
        var error = KnownWarp.MedianGridErrorPixels(HomographyMath.Identity(), result.HomographyAfterToBefore!, SyntheticScalpFixture.Width, SyntheticScalpFixture.Height, 16);
        Assert.True(error < 0.1, $"grid error {error:F3} px");
    }

    [Fact]
    public void Honours_cancellation()
    {
        using var frame = SyntheticScalpFixture.Render(textureSeed: 61, SyntheticScalpFixture.Hairs(11, 10, 70, 410), warp: null);
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => ImageRegistration.Register(frame.Image, frame.Image, new RegistrationOptions(), cts.Token));
    }

    [Fact]
    public void Rejects_invalid_options()
    {
        var options = new RegistrationOptions { MatchRatio = 1.5, MinInliers = 2, MinScaleFactor = 2, MaxScaleFactor = 1 };

        Assert.Equal(3, options.Validate().Count);
        Assert.Empty(new RegistrationOptions().Validate());
    }
}

public sealed class EccFallbackTests
{
    [Fact]
    public void Ecc_recovers_a_small_shift_and_rotation_on_a_low_texture_frame()
    {
        var smallWarp = new KnownWarp(RotationDegrees: 2, ScaleFactor: 1.01, ShiftXPixels: 6, ShiftYPixels: -4, PerspectiveX: 0, PerspectiveY: 0, Contrast: 0.9, BrightnessOffset: 10);
        var hairs = SyntheticScalpFixture.Hairs(seed: 13, count: 15, 70, 410);
        using var before = SyntheticScalpFixture.Render(textureSeed: 17, hairs, warp: null);
        using var after = SyntheticScalpFixture.Render(textureSeed: 17, hairs, smallWarp);

        var result = ImageRegistration.RegisterByEcc(new RegistrationSide(before.Image), new RegistrationSide(after.Image), new RegistrationOptions(), [], CancellationToken.None);

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(RegistrationMethod.Ecc, result.Method);
        Assert.True(result.EccCorrelation > 0.75);
        var error = KnownWarp.MedianGridErrorPixels(smallWarp.Homography(SyntheticScalpFixture.Width, SyntheticScalpFixture.Height),
            result.HomographyAfterToBefore!, SyntheticScalpFixture.Width, SyntheticScalpFixture.Height, 16);
        Assert.True(error < 1.5, $"grid error {error:F2} px");
    }

    [Fact]
    public void Ecc_refuses_unrelated_frames()
    {
        using var a = SyntheticScalpFixture.Render(textureSeed: 18, SyntheticScalpFixture.Hairs(14, 15, 70, 410), warp: null);
        using var b = SyntheticScalpFixture.Render(textureSeed: 19, SyntheticScalpFixture.Hairs(15, 15, 70, 410), warp: null);

        var result = ImageRegistration.RegisterByEcc(new RegistrationSide(a.Image), new RegistrationSide(b.Image), new RegistrationOptions(), [], CancellationToken.None);

        Assert.False(result.Succeeded);
    }
}
