using System.Security.Cryptography;
using OpenCvSharp;
using SmpVision.Pipeline.Analysis;
using SmpVision.Pipeline.Calibration;
using SmpVision.Pipeline.Detection;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.Measurement;
using SmpVision.Pipeline.Model;
using SmpVision.Pipeline.Synthetic;
using SmpVision.Pipeline.Tests.NativeMemory;

namespace SmpVision.Pipeline.Tests.Detection;

/// <summary>
/// The learned detector through real ONNX Runtime inference on generated frames: the model's I/O
/// contract, the detections every measurement consumes, the classical fallback, cancellation and
/// native memory. Accuracy on real frames is the evaluation command's (eval-detector), not a test's.
/// </summary>
public sealed class LearnedHairDetectorTests
{
    private static readonly SyntheticTrichoscopySpec Spec = new() { WidthPixels = 1280, HeightPixels = 1024, PixelsPerMillimetre = 361 };

    private static TrichoscopyResult Run(byte[] encoded, TrichoscopyOptions options, double ppm = 361, CancellationToken ct = default)
    {
        using var image = ImageDecoder.Decode(encoded, new DecodingOptions());
        return TrichoscopyAnalysis.Run(image, new Scale(ppm, ScaleSource.Request, 0.05, "test"), options, ct);
    }

    [Fact]
    public void Embedded_model_honours_the_contract_and_names_its_sha256()
    {
        var model = HairDetectorModel.Get(null);
        var sha = Convert.ToHexStringLower(SHA256.HashData(HairDetectorModel.EmbeddedBytes()));
        Assert.Equal(sha, model.Sha256);
        Assert.StartsWith("hair-detector-", model.Name, StringComparison.Ordinal);
        Assert.Equal($"{model.Name}@sha256:{sha}", model.Identifier);
        Assert.Equal(90.25, model.InputPixelsPerMillimetre, 3);
        Assert.Equal(2, model.OutputStride);
        Assert.InRange(model.HairThreshold, 0.01, 0.99);

        var outputs = model.Run(new float[3 * 64 * 96], 64, 96, CancellationToken.None);
        Assert.Equal((48, 32), (outputs.Width, outputs.Height));
        Assert.All(new[] { outputs.HairCentre, outputs.UnitCentre, outputs.Shaft }, a =>
        {
            Assert.Equal(48 * 32, a.Length);
            Assert.All(a, v => Assert.InRange(v, 0f, 1f));
        });
    }

    [Fact]
    public void Input_that_breaks_the_contract_is_refused_with_a_reason()
    {
        var ex = Assert.Throws<ArgumentException>(() => HairDetectorModel.Get(null).Run(new float[3 * 60 * 60], 60, 60, CancellationToken.None));
        Assert.Contains("multiples of 8", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_of_another_contract_fails_at_load_with_a_clear_message()
    {
        var path = Path.Combine(Path.GetTempPath(), $"not-a-detector-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, SmpVision.Pipeline.Inference.HairVerifierModel.EmbeddedBytes());
        try
        {
            var ex = Assert.Throws<InvalidOperationException>(() => HairDetectorModel.LoadUncached(path));
            Assert.Contains("must have one float input 'image'", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Detections_are_consistent_hairs_units_and_masks_in_frame_pixels()
    {
        var frame = SyntheticTrichoscopyGenerator.Generate(Spec, seed: 21);
        using var r = Run(frame.EncodedImage, new TrichoscopyOptions());
        Assert.StartsWith("hair-detector-", r.Detector, StringComparison.Ordinal);
        Assert.NotEmpty(r.Hairs);
        Assert.Equal(r.Hairs.Count, r.Density.VisibleHairCount);
        Assert.Equal(r.Hairs.Count(h => h.CountedInDensity), r.Density.HairCount);
        Assert.Equal(Enumerable.Range(0, r.Hairs.Count), r.Hairs.Select(h => h.Id));
        Assert.Equal(r.Hairs.Count, r.FollicularUnits.Sum(u => u.HairIds.Count));
        foreach (var h in r.Hairs)
        {
            Assert.Contains(h.Id, r.FollicularUnits[h.FollicularUnitId].HairIds);
            Assert.True(h.LengthPixels > 0 && h.WidthPixels > 0, $"hair {h.Id}: length {h.LengthPixels}, width {h.WidthPixels}");
            Assert.NotNull(h.WidthMicrometres);
            Assert.NotEqual(HairWidthClass.Unknown, h.WidthClass);
            var mid = new PointPixels((h.Emergence.X + h.Tip.X) / 2, (h.Emergence.Y + h.Tip.Y) / 2);
            Assert.InRange(mid.X, -1, 1280);
            Assert.InRange(mid.Y, -1, 1024);
        }

        Assert.InRange(r.Density.HairCoverageFraction, 1e-4, 0.5);
        Assert.NotNull(r.Density.HairsPerSquareCentimetre);
    }

    [Fact]
    public void Counts_do_not_change_when_the_frame_is_rotated_or_flipped()
    {
        // The shipped model's thresholds are calibrated for the D4 average (rotations and flips),
        // which makes the count invariant to both by construction.
        Assert.Equal("d4", HairDetectorModel.Get(null).TestTimeAugmentation);
        var frame = SyntheticTrichoscopyGenerator.Generate(Spec, seed: 27);
        using var original = Cv2.ImDecode(frame.EncodedImage, ImreadModes.Color);
        using var rotated = new Mat();
        using var flipped = new Mat();
        Cv2.Rotate(original, rotated, RotateFlags.Rotate90Clockwise);
        Cv2.Flip(original, flipped, FlipMode.Y);
        int Count(Mat m)
        {
            using var r = Run(m.ImEncode(".png"), new TrichoscopyOptions());
            return r.Density.VisibleHairCount;
        }

        int n = Count(original);
        Assert.True(n > 0);
        Assert.Equal(n, Count(rotated));
        Assert.Equal(n, Count(flipped));
    }

    [Fact]
    public void The_classical_detector_can_still_be_selected()
    {
        var frame = SyntheticTrichoscopyGenerator.Generate(Spec, seed: 22);
        using var r = Run(frame.EncodedImage, new TrichoscopyOptions { Detector = new HairDetectorOptions { Kind = HairDetectorKind.Classical } });
        Assert.Equal(ClassicalHairDetector.Identifier, r.Detector);
        Assert.DoesNotContain(r.Warnings, w => w.Code == "detector-fallback");
    }

    [Fact]
    public void Outside_the_training_scale_range_the_classical_detector_runs_and_says_so()
    {
        var frame = SyntheticTrichoscopyGenerator.Generate(Spec with { WidthPixels = 640, HeightPixels = 512, PixelsPerMillimetre = 180 }, seed: 23);
        using var r = Run(frame.EncodedImage, new TrichoscopyOptions(), ppm: 180);
        Assert.Equal(ClassicalHairDetector.Identifier, r.Detector);
        Assert.Contains(r.Warnings, w => w.Code == "detector-fallback");
    }

    [Fact]
    public void The_request_selects_the_detector_and_versions_name_it()
    {
        var analyzer = new ScalpAnalyzer(new AnalyzerOptions());
        var frame = SyntheticTrichoscopyGenerator.Generate(Spec, seed: 24);
        var request = new AnalysisRequest { Modality = Modality.Trichoscopy, Scale = new ScaleRequest(361, null, null, null) };
        var learned = analyzer.Analyze(frame.EncodedImage, request, CancellationToken.None);
        var classical = analyzer.Analyze(frame.EncodedImage, request with { Detector = HairDetectorKind.Classical }, CancellationToken.None);
        Assert.Equal(HairDetectorModel.Get(null).Identifier, learned.ModelVersion);
        Assert.Equal(ClassicalHairDetector.Identifier, classical.ModelVersion);
    }

    [Fact]
    public void A_cancelled_request_stops_before_or_inside_inference()
    {
        var frame = SyntheticTrichoscopyGenerator.Generate(Spec, seed: 25);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => HairDetectorModel.Get(null).Run(new float[3 * 256 * 320], 256, 320, cts.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => Run(frame.EncodedImage, new TrichoscopyOptions(), ct: cts.Token).Dispose());
    }

    [Fact]
    public void Options_are_validated()
    {
        var errors = new HairDetectorOptions { HairThreshold = 1.5, MinPixelsPerMillimetre = 600, IntraOpThreads = 0, ModelPath = "/no/such/model.onnx" }.Validate();
        Assert.Equal(4, errors.Count);
        Assert.Contains(new TrichoscopyOptions { Detector = new HairDetectorOptions { UnitThreshold = 0 } }.Validate(), e => e.StartsWith("Detector.UnitThreshold", StringComparison.Ordinal));
    }
}

/// <summary>The leak guard over the model path, cancellation included (non-parallel: other tests' allocations would count).</summary>
[Collection(NonParallelCollection.Name)]
public sealed class LearnedDetectorNativeMemoryTests
{
    [Fact]
    public void Learned_analysis_and_a_cancelled_inference_free_their_native_memory()
    {
        var analyzer = new ScalpAnalyzer(new AnalyzerOptions());
        var frame = SyntheticTrichoscopyGenerator.Generate(new SyntheticTrichoscopySpec { WidthPixels = 1280, HeightPixels = 1024, PixelsPerMillimetre = 361 }, seed: 26);
        var request = new AnalysisRequest { Modality = Modality.Trichoscopy, Scale = new ScaleRequest(361, null, null, null), Output = new OutputRequest(true, true, true, true) };
        NativeLeakGuard.AssertNoLeak(() => analyzer.Analyze(frame.EncodedImage, request, CancellationToken.None));

        var input = new float[3 * 256 * 320];
        NativeLeakGuard.AssertNoLeak(() =>
        {
            using var cts = new CancellationTokenSource();
            cts.Cancel();
            Assert.ThrowsAny<OperationCanceledException>(() => HairDetectorModel.Get(null).Run(input, 256, 320, cts.Token));
        });
    }
}
