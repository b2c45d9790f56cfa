using OpenCvSharp;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Segmentation;
using SmpVision.Pipeline.Tests.Measurement;

namespace SmpVision.Pipeline.Tests.Segmentation;

/// <summary>
/// Session 10 (colour-contrast shafts): grey shafts of nearly the skin's lightness on orange-pink skin
/// (as mixed seed 828: L* 58 on L* 60, ITA ~25-32) differ from it mainly in chroma; the chroma path
/// finds them where neither polarity does, and does not switch on frames whose neutral structures
/// are not shaft-shaped. Frames are drawn in code at 180 px/mm (the working resolution).
/// </summary>
public sealed class HairSegmenterChromaTests
{
    private const double PixelsPerMillimetre = 180;

    // CIELAB (60, 15, 22) skin and a neutral (58, 0, 2) grey shaft, as BGR.
    private static readonly Scalar OrangeSkin = new(107, 134, 182);
    private static readonly Scalar NeutralGrey = new(136, 139, 141);

    private static readonly (Point From, Point To)[] Shafts =
    [
        (new Point(60, 90), new Point(420, 120)),
        (new Point(80, 230), new Point(400, 200)),
        (new Point(100, 330), new Point(440, 350)),
    ];

    private static HairSegmentation Segment(Mat bgr, HairSegmentationOptions options)
    {
        using var analysable = new Mat(bgr.Size(), MatType.CV_8UC1, Scalar.All(255));
        return HairSegmenter.Segment(bgr, analysable, PixelsPerMillimetre, options, CancellationToken.None);
    }

    private static Mat GreyShaftFrame()
    {
        var img = TrichoscopyFixture.Skin(480, 400, 3, OrangeSkin);
        foreach (var (from, to) in Shafts)
        {
            Cv2.Line(img, from, to, NeutralGrey, 13);
        }

        return img;
    }

    /// <summary>Share of the shafts' centre lines (away from their ends) covered by the hair mask.</summary>
    private static double CentreCoverage(HairSegmentation seg)
    {
        int hit = 0, total = 0;
        foreach (var (from, to) in Shafts)
        {
            for (double t = 0.1; t <= 0.9; t += 0.01)
            {
                int x = (int)Math.Round(from.X + (t * (to.X - from.X)));
                int y = (int)Math.Round(from.Y + (t * (to.Y - from.Y)));
                total++;
                hit += seg.HairMask.At<byte>(y, x) != 0 ? 1 : 0;
            }
        }

        return (double)hit / total;
    }

    [Fact]
    public void Grey_shafts_of_the_skins_lightness_are_found_by_their_chroma()
    {
        using var img = GreyShaftFrame();
        using var seg = Segment(img, new HairSegmentationOptions());
        using var off = Segment(img, new HairSegmentationOptions { ChromaMaxDarkEvidence = 0 });

        Assert.Equal(HairPolarity.Dark, seg.Polarity);
        Assert.True(seg.ChromaUsed, $"dark evidence {seg.DarkEvidence:F4}, chroma evidence {seg.ChromaEvidence:F4}");
        Assert.False(off.ChromaUsed);
        Assert.True(CentreCoverage(off) < 0.5, $"covered without the chroma path {CentreCoverage(off):P0}");
        Assert.True(CentreCoverage(seg) > 0.9, $"covered with the chroma path {CentreCoverage(seg):P0}");
    }

    [Fact]
    public void The_analysis_reports_colour_contrast_shafts_as_such()
    {
        // The segmenter measures them as dark shafts; the result says how they were found.
        using var image = ScalpImage.FromBgr(GreyShaftFrame());
        var scale = new Scale(PixelsPerMillimetre, ScaleSource.Request, 0.05, "test");
        using var result = TrichoscopyAnalysis.Run(image, scale, new TrichoscopyOptions(), CancellationToken.None);
        Assert.Equal(HairPolarity.Colour, result.HairPolarity);
        Assert.InRange(result.Density.HairCount, 2, 4);
    }

    [Fact]
    public void Neutral_round_spots_do_not_switch_to_the_chroma_path()
    {
        // Flakes and glare-like spots, neutral like a grey shaft but round and short.
        using var img = TrichoscopyFixture.Skin(480, 400, 3, OrangeSkin);
        var rng = new Random(7);
        for (int i = 0; i < 120; i++)
        {
            Cv2.Circle(img, new Point(rng.Next(10, 470), rng.Next(10, 390)), rng.Next(3, 9), NeutralGrey, -1);
        }

        using var seg = Segment(img, new HairSegmentationOptions());
        Assert.False(seg.ChromaUsed, $"dark evidence {seg.DarkEvidence:F4}, chroma evidence {seg.ChromaEvidence:F4}");
    }

    [Fact]
    public void Dark_shafts_do_not_try_the_chroma_path()
    {
        using var img = TrichoscopyFixture.Skin(480, 400, 3, OrangeSkin);
        foreach (var (from, to) in Shafts)
        {
            Cv2.Line(img, from, to, new Scalar(40, 45, 55), 13);
        }

        using var seg = Segment(img, new HairSegmentationOptions());
        Assert.False(seg.ChromaUsed);
        Assert.Equal(0, seg.ChromaEvidence);
    }
}
