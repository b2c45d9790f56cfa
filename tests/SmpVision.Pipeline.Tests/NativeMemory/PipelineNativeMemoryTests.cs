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
