using SmpVision.Pipeline.Analysis;
using SmpVision.Pipeline.Imaging;
using SmpVision.Pipeline.Model;
using SmpVision.Pipeline.Synthetic;

namespace SmpVision.Pipeline.Tests.NativeMemory;

[Collection(NonParallelCollection.Name)]
public sealed class PipelineNativeMemoryTests
{
    private static readonly ScalpAnalyzer Analyzer = new(new AnalyzerOptions());
    private static readonly SyntheticTrichoscopySpec Spec = new() { WidthPixels = 1280, HeightPixels = 1024 };

    [Fact]
    public void Trichoscopy_analysis_with_every_output_frees_its_native_memory()
    {
        var frame = SyntheticTrichoscopyGenerator.Generate(Spec, seed: 3);
        var request = new AnalysisRequest { Modality = Modality.Trichoscopy, Scale = new ScaleRequest(361, null, null, null), Output = new OutputRequest(true, true, true, true) };
        NativeLeakGuard.AssertNoLeak(() => Analyzer.Analyze(frame.EncodedImage, request, CancellationToken.None));
    }

    [Fact]
    public void Refused_images_free_their_native_memory()
    {
        var frame = SyntheticTrichoscopyGenerator.Generate(Spec, seed: 4);
        var truncated = frame.EncodedImage[..(frame.EncodedImage.Length / 2)];
        NativeLeakGuard.AssertNoLeak(() => Assert.Throws<InvalidImageException>(() => Analyzer.Analyze(truncated, new AnalysisRequest(), CancellationToken.None)));
    }

    [Fact]
    public void Comparison_frees_its_native_memory()
    {
        var frame = SyntheticTrichoscopyGenerator.Generate(Spec with { WidthPixels = 640, HeightPixels = 512, PixelsPerMillimetre = 180 }, seed: 5);
        var request = new AnalysisRequest { Modality = Modality.Trichoscopy, Scale = new ScaleRequest(180, null, null, null) };
        NativeLeakGuard.AssertNoLeak(() => Analyzer.Compare(frame.EncodedImage, frame.EncodedImage, request, null, changeMap: true, CancellationToken.None));
    }
}

/// <summary>The guard itself: a body that leaves one 1280x1024 mask undisposed per run must fail it.</summary>
[Collection(NonParallelCollection.Name)]
public sealed class NativeLeakGuardTests
{
    [Fact]
    public void A_mask_left_undisposed_every_run_fails_the_guard()
    {
        var leaked = new List<OpenCvSharp.Mat>();
        try
        {
            var failure = Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => NativeLeakGuard.AssertNoLeak(() =>
            {
                var mask = new OpenCvSharp.Mat(1024, 1280, OpenCvSharp.MatType.CV_8UC1, OpenCvSharp.Scalar.All(255));
                leaked.Add(mask);
            }));
            Assert.Contains("grew in every window", failure.Message, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var mask in leaked)
            {
                mask.Dispose();
            }
        }
    }

    [Fact]
    public void A_body_that_disposes_what_it_allocates_passes_the_guard()
    {
        NativeLeakGuard.AssertNoLeak(() =>
        {
            using var mask = new OpenCvSharp.Mat(1024, 1280, OpenCvSharp.MatType.CV_8UC1, OpenCvSharp.Scalar.All(255));
        });
    }
}
