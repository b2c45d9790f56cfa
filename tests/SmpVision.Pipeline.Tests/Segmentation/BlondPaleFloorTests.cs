using OpenCvSharp;
using SmpVision.Pipeline.Segmentation;
using SmpVision.Pipeline.Tests.Measurement;

namespace SmpVision.Pipeline.Tests.Segmentation;

/// <summary>
/// Session 13 (tri20): the pale-shaft passes' evidence floor (<see cref="HairSegmentationOptions.PaleShaftMinDarkEvidence"/>)
/// is 0.1 per mille so that the faintest blond frames (0.30-0.46 per mille) get the pass; it keeps
/// hairless frames out only because they read no dark evidence at all. This pins that premise.
/// </summary>
public sealed class BlondPaleFloorTests
{
    [Fact]
    public void Hairless_brown_skin_reads_no_dark_evidence_under_the_floor()
    {
        var options = new HairSegmentationOptions();
        Assert.True(options.PaleShaftMinDarkEvidence > 0);
        for (int seed = 1; seed <= 8; seed++)
        {
            using var image = TrichoscopyFixture.Frame(320, 256, seed, [], new Scalar(60, 80, 120), new Scalar(25, 30, 40));
            using var bgr = image.Bgr.Clone();
            using var analysable = new Mat(bgr.Size(), MatType.CV_8UC1, Scalar.All(255));
            using var seg = HairSegmenter.Segment(bgr, analysable, 100, options, CancellationToken.None);
            Assert.True(seg.DarkEvidence < options.PaleShaftMinDarkEvidence, $"fixture seed {seed}: dark evidence {seg.DarkEvidence:F5}");
        }
    }
}
