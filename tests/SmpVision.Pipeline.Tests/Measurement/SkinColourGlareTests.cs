using OpenCvSharp;
using SmpVision.Pipeline.Measurement.Colour;
using SmpVision.Pipeline.Segmentation;

namespace SmpVision.Pipeline.Tests.Measurement;

/// <summary>
/// Skin colour on textured, glare-flecked skin: the darkness the segmenter reports is measured
/// against a closing (the brightest skin nearby), so typical skin reads some darkness there.
/// The skin colour must come from that typical skin, not only from the flecks that read none.
/// </summary>
public sealed class SkinColourGlareTests
{
    private static readonly Scalar Skin = new(150, 175, 210);
    private static readonly Scalar Fleck = new(225, 230, 240);
    private static readonly Scalar Shadow = new(150, 140, 145);

    [Fact]
    public void Glare_flecks_and_sub_surface_shadows_do_not_move_the_skin_colour()
    {
        const int size = 200;
        using var bgr = new Mat(size, size, MatType.CV_8UC3, Skin);
        var darkness = new Mat(size, size, MatType.CV_8UC1, Scalar.All(25)); // typical skin: ~10% below the closing
        for (int y = 0; y < size; y += 4)
        {
            for (int x = (y / 4) % 2 * 2; x < size; x += 4)
            {
                // Flecks cover an eighth of the skin, as the glare spots of a generated frame.
                for (int dy = 0; dy < 2; dy++)
                {
                    bgr.Set(y + dy, x, new Vec3b((byte)Fleck.Val0, (byte)Fleck.Val1, (byte)Fleck.Val2));
                    darkness.Set(y + dy, x, (byte)0);
                }
            }
        }

        // A blue-grey sub-surface shadow over a tenth of the field: darker than typical skin.
        Cv2.Rectangle(bgr, new Rect(0, 0, size, size / 10), Shadow, -1);
        Cv2.Rectangle(darkness, new Rect(0, 0, size, size / 10), Scalar.All(90), -1);
        using var seg = new HairSegmentation(
            new Mat(size, size, MatType.CV_8UC1, Scalar.All(0)),
            darkness,
            new Mat(size, size, MatType.CV_8UC1, Scalar.All(128)),
            new Mat(size, size, MatType.CV_8UC1, Scalar.All(255)),
            1.0,
            bgr.Clone());
        var colour = ColourMeasurement.Measure(bgr, seg, new ColourOptions());
        var expected = CieLab.FromSrgb((byte)Skin.Val2, (byte)Skin.Val1, (byte)Skin.Val0);
        Assert.NotNull(colour.Skin);
        var skin = colour.Skin.Value;
        Assert.InRange(skin.L, expected.L - 0.5, expected.L + 0.5);
        Assert.InRange(skin.B, expected.B - 0.5, expected.B + 0.5);
        Assert.InRange(colour.IndividualTypologyAngleDegrees!.Value, CieLab.IndividualTypologyAngleDegrees(expected) - 1, CieLab.IndividualTypologyAngleDegrees(expected) + 1);
    }
}
