using SmpVision.Pipeline.Calibration;

namespace SmpVision.Pipeline.Tests;

public sealed class ScaleTests
{
    [Fact]
    public void Converts_pixels_to_square_centimetres()
    {
        var scale = new Scale(100, ScaleSource.Request, 0, "test");
        // 100 px/mm: 1 cm2 = 100 mm2 = 1e6 px.
        Assert.Equal(1.0, scale.PixelsToSquareCentimetres(1_000_000), 9);
        Assert.Equal(10.0, scale.MicrometresPerPixel, 9);
    }
}
