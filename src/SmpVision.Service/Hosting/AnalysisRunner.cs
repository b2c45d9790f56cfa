using SmpVision.Pipeline.Analysis;
using SmpVision.Service.Telemetry;

namespace SmpVision.Service.Hosting;

/// <summary>
/// Runs pipeline work behind the concurrency gate on the thread pool (the pipeline is CPU-bound
/// and synchronous) and records stage metrics. The caller's token carries deadline and cancellation.
/// </summary>
public sealed class AnalysisRunner(ScalpAnalyzer analyzer, AnalysisGate gate, SmpVisionMetrics metrics)
{
    /// <summary>Analyses one photo.</summary>
    public async Task<ScalpAnalysisResult> AnalyzeAsync(byte[] image, AnalysisRequest request, CancellationToken cancellationToken)
    {
        using var lease = await gate.EnterAsync(cancellationToken).ConfigureAwait(false);
        using var activity = SmpVisionMetrics.ActivitySource.StartActivity("analyze");
        var result = await Task.Run(() => analyzer.Analyze(image, request, cancellationToken), cancellationToken).ConfigureAwait(false);
        metrics.RecordStages(result.Timings);
        return result;
    }

    /// <summary>Compares a before and an after photo (one slot: the two analyses run one after the other).</summary>
    public async Task<ComparisonAnalysisResult> CompareAsync(byte[] before, byte[] after, AnalysisRequest request, ScaleRequest? afterScale, bool changeMap, CancellationToken cancellationToken)
    {
        using var lease = await gate.EnterAsync(cancellationToken).ConfigureAwait(false);
        using var activity = SmpVisionMetrics.ActivitySource.StartActivity("compare");
        var result = await Task.Run(() => analyzer.Compare(before, after, request, afterScale, changeMap, cancellationToken), cancellationToken).ConfigureAwait(false);
        metrics.RecordStages(result.Before.Timings);
        metrics.RecordStages(result.After.Timings);
        metrics.RecordStages(result.Timings);
        return result;
    }
}
