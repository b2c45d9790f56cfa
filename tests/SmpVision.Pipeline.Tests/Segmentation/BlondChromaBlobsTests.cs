using OpenCvSharp;
using SmpVision.Pipeline.Segmentation;
using SmpVision.Pipeline.Tests.Measurement;

namespace SmpVision.Pipeline.Tests.Segmentation;

/// <summary>
/// Session 13 (tri20): broad desaturated skin patches are not shafts. The chroma path drops regions
/// wider than two terminal shafts (<see cref="HairSegmentationOptions.ChromaMaskMaxWidthMicrometres"/>),
/// so such patches neither switch a frame to the chroma path (blond frames read Colour with no shaft
/// found) nor count as hairs. Frames are drawn in code at 180 px/mm.
/// </summary>
public sealed class BlondChromaBlobsTests
{
    private const double PixelsPerMillimetre = 180;

    // CIELAB (60, 15, 22) skin and a neutral (58, 0, 2) grey, as in HairSegmenterChromaTests.
    private static readonly Scalar OrangeSkin = new(107, 134, 182);
    private static readonly Scalar NeutralGrey = new(136, 139, 141);

    [Fact]
    public void DropWide_clears_a_broad_patch_and_keeps_a_shaft_and_a_crossing()
    {
        using var mask = new Mat(200, 300, MatType.CV_8UC1, Scalar.All(0));
        Cv2.Line(mask, new Point(10, 20), new Point(290, 40), Scalar.All(255), 13);
        // Two shafts crossing at right angles: widest at the crossing, still under two widths.
        Cv2.Line(mask, new Point(40, 80), new Point(140, 180), Scalar.All(255), 13);
        Cv2.Line(mask, new Point(40, 180), new Point(140, 80), Scalar.All(255), 13);
        Cv2.Ellipse(mask, new Point(220, 140), new Size(60, 25), 10, 0, 360, Scalar.All(255), -1);

        int cleared = BlondChromaBlobs.DropWide(mask, 13);

        Assert.Equal(1, cleared);
        Assert.Equal(0, mask.At<byte>(140, 220));
        Assert.Equal(255, mask.At<byte>(30, 150));
        Assert.Equal(255, mask.At<byte>(130, 90));
    }

    [Fact]
    public void Broad_neutral_patches_do_not_switch_to_the_chroma_path()
    {
        // Elongated blue-grey patches ~250 um wide and ~1.2 mm long: long and filling their
        // rectangle, so the straight-long test alone lets them count as shaft evidence.
        using var img = TrichoscopyFixture.Skin(480, 400, 3, OrangeSkin);
        Cv2.Ellipse(img, new Point(150, 110), new Size(110, 23), 15, 0, 360, NeutralGrey, -1);
        Cv2.Ellipse(img, new Point(320, 280), new Size(110, 23), -20, 0, 360, NeutralGrey, -1);

        using var analysable = new Mat(img.Size(), MatType.CV_8UC1, Scalar.All(255));
        using var off = HairSegmenter.Segment(img, analysable, PixelsPerMillimetre, new HairSegmentationOptions { ChromaMaskMaxWidthMicrometres = 0 }, CancellationToken.None);
        using var seg = HairSegmenter.Segment(img, analysable, PixelsPerMillimetre, new HairSegmentationOptions(), CancellationToken.None);

        Assert.True(off.ChromaUsed, $"without the width test: chroma evidence {off.ChromaEvidence:F4}, dark {off.DarkEvidence:F4}");
        Assert.False(seg.ChromaUsed, $"chroma evidence {seg.ChromaEvidence:F4}, dark {seg.DarkEvidence:F4}");
    }

    [Fact]
    public void Options_reject_a_negative_width() =>
        Assert.NotEmpty(new HairSegmentationOptions { ChromaMaskMaxWidthMicrometres = -1 }.Validate());
}
