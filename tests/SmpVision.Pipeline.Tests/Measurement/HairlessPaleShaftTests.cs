using OpenCvSharp;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Segmentation;

namespace SmpVision.Pipeline.Tests.Measurement;

/// <summary>
/// The pale-shaft passes (blond shafts: dark only at their rims) lower the seed threshold on
/// frames with little dark evidence. A hairless frame has none at all, and there the lower seed
/// turned brown skin's texture into shafts (8 false hairs over 40 fixture frames); the passes
/// need some shaft-shaped dark structure first (<see cref="HairSegmentationOptions.PaleShaftMinDarkEvidence"/>).
/// </summary>
public sealed class HairlessPaleShaftTests
{
    private static readonly Scale RequestScale = new(100, ScaleSource.Request, 0.01, "test");

    [Fact]
    public void Hairless_brown_skin_reads_no_hair()
    {
        for (int seed = 1; seed <= 12; seed++)
        {
            using var image = TrichoscopyFixture.Frame(320, 256, seed, [], new Scalar(60, 80, 120), new Scalar(25, 30, 40));
            using var result = TrichoscopyAnalysis.Run(image, RequestScale, new TrichoscopyOptions(), CancellationToken.None);
            Assert.True(result.Density.HairCount == 0, $"fixture seed {seed}: {result.Density.HairCount} hairs on hairless skin");
        }
    }

    [Fact]
    public void Options_reject_a_negative_floor() =>
        Assert.NotEmpty(new HairSegmentationOptions { PaleShaftMinDarkEvidence = -1 }.Validate());
}
