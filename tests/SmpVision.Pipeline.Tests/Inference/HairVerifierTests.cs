using OpenCvSharp;
using SmpVision.Pipeline.Inference;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Model;
using SmpVision.Pipeline.Tests.NativeMemory;

namespace SmpVision.Pipeline.Tests.Inference;

public sealed class HairVerifierTests
{
    /// <summary>
    /// A fixed feature row (a detection of the training export, as printed by
    /// tools/training/train_verifier.py) and the score numpy's forward pass gave it.
    /// Retraining the model changes both: update them from the trainer's output.
    /// </summary>
    internal static readonly float[] FixedRow =
    [
        440.0f, 92.4f, 0.903226f, 4.7619f, 1.06667f, 0.274307f, 0.953125f, 31.8457f, 5.92431f, 1.27048f,
        2.46764f, 0.568316f, 1.12388f, 0.0819672f, 10.5817f, 1.0f, 1.0f, 1.0f, 3.04452f, 0.0f, 0.0f,
    ];

    private const float FixedScore = 0.47872015f;

    /// <summary>Sigmoid over "features" float [N, 5] with output "score" [N, 5]: the wrong width on both sides.</summary>
    private const string WrongContractModelBase64 =
        "CAg6WgoaCghmZWF0dXJlcxIFc2NvcmUiB1NpZ21vaWQSBXdyb25nWhsKCGZlYXR1cmVzEg8KDQgBEgkKAxIBTgoCCAViGAoFc2NvcmUSDwoNCAESCQoDEgFOCgIIBUIECgAQDQ==";

    [Fact]
    public void EmbeddedModelLoadsOnceAndHonoursItsContract()
    {
        var model = HairVerifierModel.Get(null);
        Assert.Same(model, HairVerifierModel.Get(null));
        Assert.Equal("embedded", model.Source);
        Assert.Equal(21, HairCandidateFeatures.Count);
        Assert.Equal(FixedRow.Length, HairCandidateFeatures.Count);
        Assert.Empty(model.Score([], 0));
        Assert.Throws<ArgumentException>(() => model.Score(new float[5], 1));
    }

    [Fact]
    public void FixedFeatureRowGetsTheTrainersScore()
    {
        var score = HairVerifierModel.Get(null).Score(FixedRow, 1);
        Assert.Single(score);
        Assert.Equal(FixedScore, score[0], 1e-5f);
    }

    [Fact]
    public void BatchScoresEqualSingleScoresAndLieInZeroOne()
    {
        var model = HairVerifierModel.Get(null);
        int f = HairCandidateFeatures.Count;
        var rows = new float[3 * f];
        for (int r = 0; r < 3; r++)
        {
            for (int c = 0; c < f; c++)
            {
                rows[(r * f) + c] = FixedRow[c] * (1 + (0.25f * r));
            }
        }

        var batch = model.Score(rows, 3);
        for (int r = 0; r < 3; r++)
        {
            var single = model.Score(rows.AsSpan(r * f, f).ToArray(), 1);
            Assert.Equal(single[0], batch[r], 1e-6f);
            Assert.InRange(batch[r], 0f, 1f);
        }
    }

    [Fact]
    public void SharedSessionScoresFromSeveralThreadsAtOnce()
    {
        var scores = new float[8];
        Parallel.For(0, scores.Length, i => scores[i] = HairVerifierModel.Get(null).Score(FixedRow, 1)[0]);
        Assert.All(scores, s => Assert.Equal(FixedScore, s, 1e-5f));
    }

    [Fact]
    public void ModelFromAPathScoresLikeTheEmbeddedOne()
    {
        string path = Path.Combine(Path.GetTempPath(), $"hv-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, HairVerifierModel.EmbeddedBytes());
        try
        {
            using var model = HairVerifierModel.LoadUncached(path);
            Assert.Equal(FixedScore, model.Score(FixedRow, 1)[0], 1e-5f);
            Assert.Empty(new HairVerifierOptions { ModelPath = path }.Validate());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ModelWithTheWrongContractFailsAtLoadWithAClearMessage()
    {
        string path = Path.Combine(Path.GetTempPath(), $"hv-wrong-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, Convert.FromBase64String(WrongContractModelBase64));
        try
        {
            var e = Assert.Throws<InvalidOperationException>(() => HairVerifierModel.LoadUncached(path));
            Assert.Contains("must be float [N, 21]", e.Message, StringComparison.Ordinal);
            Assert.Throws<InvalidOperationException>(() => HairVerifierModel.Get(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void OptionsValidate()
    {
        Assert.Empty(new HairVerifierOptions().Validate());
        Assert.Single(new HairVerifierOptions { MinScore = 1.5 }.Validate());
        Assert.Single(new HairVerifierOptions { MinScore = double.NaN }.Validate());
        Assert.Single(new HairVerifierOptions { ModelPath = "/nonexistent/model.onnx" }.Validate());
        Assert.Single(new HairVerifierOptions { MinPixelsPerMillimetre = 600 }.Validate());
        Assert.Contains(new TrichoscopyOptions { HairVerifier = new HairVerifierOptions { MinScore = -1 } }.Validate(), e => e.StartsWith("HairVerifier.", StringComparison.Ordinal));
    }

    [Fact]
    public void FilterRenumbersHairsAndRebuildsUnits()
    {
        static HairInstance Hair(int id, int unit) => new(id, new PointPixels(10 * id, 0), new PointPixels((10 * id) + 5, 50), 50, 5, unit, false);
        var extraction = new HairExtraction(
            [Hair(0, 0), Hair(1, 0), Hair(2, 1), Hair(3, 2)],
            [new FollicularUnit(0, new PointPixels(0, 0), [0, 1]), new FollicularUnit(1, new PointPixels(20, 0), [2]), new FollicularUnit(2, new PointPixels(30, 0), [3])],
            5,
            true);

        var kept = HairVerifier.Filter(extraction, [true, false, false, true]);

        Assert.Equal([0, 1], kept.Hairs.Select(h => h.Id));
        Assert.Equal([0, 30], kept.Hairs.Select(h => (int)h.Emergence.X));
        Assert.Equal(2, kept.FollicularUnits.Count);
        Assert.Equal([0], kept.FollicularUnits[0].HairIds);
        Assert.Equal([1], kept.FollicularUnits[1].HairIds);
        Assert.Equal([0, 1], kept.Hairs.Select(h => h.FollicularUnitId));
        Assert.Same(extraction, HairVerifier.Filter(extraction, [true, true, true, true]));
    }

    [Fact]
    public void FeaturesOfADrawnShaftReadDarkStraightAndFarFromTheEdge()
    {
        using var bgr = new Mat(200, 200, MatType.CV_8UC3, new Scalar(150, 170, 200));
        using var hairMask = new Mat(200, 200, MatType.CV_8UC1, Scalar.All(0));
        using var analysable = new Mat(200, 200, MatType.CV_8UC1, Scalar.All(255));
        Cv2.Line(bgr, new Point(60, 60), new Point(140, 140), new Scalar(40, 40, 50), 7);
        Cv2.Line(hairMask, new Point(60, 60), new Point(140, 140), Scalar.All(255), 7);
        var hair = new HairInstance(0, new PointPixels(60, 60), new PointPixels(140, 140), 113, 7, 0, false) { CountedInDensity = true };

        var f = HairCandidateFeatures.Compute(bgr, hairMask, analysable, [hair], [new FollicularUnit(0, new PointPixels(60, 60), [0])], 100, 7, CancellationToken.None);

        Assert.Equal(HairCandidateFeatures.Count, f.Length);
        var named = HairCandidateFeatures.Names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => f[p.i]);
        Assert.Equal(1130, named["length_um"], 1f);
        Assert.Equal(1, named["width_ratio"], 1e-3f);
        Assert.True(named["mask_fill"] > 0.95, $"mask_fill {named["mask_fill"]}");
        Assert.True(named["contrast_l"] > 30, $"contrast_l {named["contrast_l"]}");
        Assert.True(named["edge_distance_um"] > 400, $"edge_distance_um {named["edge_distance_um"]}");
        Assert.Equal(0, named["twins"]);
        Assert.Equal(1, named["counted"]);
    }
}

[Collection(NonParallelCollection.Name)]
public sealed class HairVerifierNativeMemoryTests
{
    [Fact]
    public void ScoringDisposesEveryOrtValue()
    {
        // 200k rows: a leaked output tensor (800 KB a run) would exceed the guard's 2 MiB over 4 runs.
        const int Rows = 200_000;
        int f = HairCandidateFeatures.Count;
        var rows = new float[Rows * f];
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] = HairVerifierTests.FixedRow[i % f];
        }

        var model = HairVerifierModel.Get(null);
        NativeLeakGuard.AssertNoLeak(() => model.Score(rows, Rows));
    }

    [Fact]
    public void LoadingAndDisposingAModelFreesIt()
    {
        NativeLeakGuard.AssertNoLeak(() =>
        {
            using var model = HairVerifierModel.LoadUncached(null);
            model.Score(HairVerifierTests.FixedRow, 1);
        });
    }
}
