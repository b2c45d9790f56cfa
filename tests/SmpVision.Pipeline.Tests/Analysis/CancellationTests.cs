using SmpVision.Pipeline.Analysis;
using SmpVision.Pipeline.Model;
using SmpVision.Pipeline.Synthetic;

namespace SmpVision.Pipeline.Tests.Analysis;

public sealed class CancellationTests
{
    [Fact]
    public void A_cancelled_token_stops_the_analysis()
    {
        var frame = SyntheticTrichoscopyGenerator.Generate(new SyntheticTrichoscopySpec { WidthPixels = 640, HeightPixels = 512, PixelsPerMillimetre = 180 }, seed: 1);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var analyzer = new ScalpAnalyzer(new AnalyzerOptions());
        Assert.ThrowsAny<OperationCanceledException>(() => analyzer.Analyze(frame.EncodedImage, new AnalysisRequest { Modality = Modality.Trichoscopy }, cts.Token));
    }

    [Fact]
    public void Invalid_options_are_refused_at_construction()
    {
        var options = new AnalyzerOptions { Decoding = new Imaging.DecodingOptions { MaxPixels = 10 } };
        var ex = Assert.Throws<ArgumentException>(() => new ScalpAnalyzer(options));
        Assert.Contains("MaxPixels", ex.Message, StringComparison.Ordinal);
    }
}
