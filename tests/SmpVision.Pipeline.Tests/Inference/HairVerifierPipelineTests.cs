using OpenCvSharp;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Detection;
using SmpVision.Pipeline.Inference;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Tests.Measurement;

namespace SmpVision.Pipeline.Tests.Inference;

public sealed class HairVerifierPipelineTests
{
    /// <summary>The verifier belongs to the classical detector (the learned one is the default).</summary>
    private static readonly HairDetectorOptions Classical = new() { Kind = HairDetectorKind.Classical };

    private static (TrichoscopyResult Off, TrichoscopyResult On) RunBoth(double ppm)
    {
        // Eight separate terminal shafts (22 px) on light skin, as TrichoscopyAnalysisTests draws
        // them; one frame for both runs (the fixture's noise comes from OpenCV's global RNG).
        var hairs = TrichoscopyFixture.RandomHairs(640, 512, 11, 8, 22);
        using var image = TrichoscopyFixture.Frame(640, 512, 11, hairs, new Scalar(170, 185, 215), new Scalar(25, 30, 40));
        var scale = new Scale(ppm, ScaleSource.Request, 0, "test");
        var off = TrichoscopyAnalysis.Run(image, scale, new TrichoscopyOptions { Detector = Classical, HairVerifier = new HairVerifierOptions { Enabled = false } }, CancellationToken.None);
        var on = TrichoscopyAnalysis.Run(image, scale, new TrichoscopyOptions { Detector = Classical, HairVerifier = new HairVerifierOptions { Enabled = true } }, CancellationToken.None);
        return (off, on);
    }

    [Fact]
    public void VerifierKeepsASubsetWithConsistentIdsAndUnits()
    {
        var (off, on) = RunBoth(361);
        using var offResult = off;
        using var onResult = on;

        Assert.NotEmpty(off.Hairs);
        Assert.InRange(on.Hairs.Count, 0, off.Hairs.Count);
        Assert.Equal(Enumerable.Range(0, on.Hairs.Count), on.Hairs.Select(h => h.Id));
        Assert.Equal(Enumerable.Range(0, on.FollicularUnits.Count), on.FollicularUnits.Select(u => u.Id));
        foreach (var h in on.Hairs)
        {
            Assert.Contains(h.Id, on.FollicularUnits[h.FollicularUnitId].HairIds);
        }

        Assert.Equal(on.Hairs.Count, on.Density.VisibleHairCount);

        // Results say which learned model took part, so a clinic can trace a number to its model.
        Assert.Equal(ClassicalHairDetector.Identifier, off.Detector);
        Assert.Equal(ClassicalHairDetector.Identifier + "+" + HairVerifierModel.EmbeddedModelVersion, on.Detector);
    }

    [Fact]
    public void VerifierLeavesFramesOutsideItsScaleRangeAlone()
    {
        // 100 px/mm lies below MinPixelsPerMillimetre (250): the classical result stands.
        var (off, on) = RunBoth(100);
        using var offResult = off;
        using var onResult = on;

        Assert.Equal(off.Hairs, on.Hairs);
        Assert.Equal(off.Density.HairCount, on.Density.HairCount);
        Assert.Equal(ClassicalHairDetector.Identifier, on.Detector);
    }
}
