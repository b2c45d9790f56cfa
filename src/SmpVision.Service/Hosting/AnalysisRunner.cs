using SmpVision.Pipeline.Analysis;
using SmpVision.Pipeline.Model;
using SmpVision.Service.Telemetry;

namespace SmpVision.Service.Hosting;

/// <summary>
/// Runs pipeline work behind the concurrency gate on the thread pool (the pipeline is CPU-bound
/// and synchronous) and records stage metrics. The caller's token carries deadline and cancellation.
/// </summary>
public sealed class AnalysisRunner(ScalpAnalyzer analyzer, AnalysisGate gate, SmpVisionMetrics metrics)
{
    /// <summary>Analyses one photo.</summary>
    public Task<ScalpAnalysisResult> AnalyzeAsync(byte[] image, AnalysisRequest request, CancellationToken cancellationToken) =>
        RunGatedAsync("analyze", () => analyzer.Analyze(image, request, cancellationToken), r => r.Timings, cancellationToken);

    /// <summary>Compares a before and an after photo (one slot: the two analyses run one after the other).</summary>
    public Task<ComparisonAnalysisResult> CompareAsync(byte[] before, byte[] after, AnalysisRequest request, ScaleRequest? afterScale, bool changeMap, CancellationToken cancellationToken) =>
        RunGatedAsync(
            "compare",
            () => analyzer.Compare(before, after, request, afterScale, changeMap, cancellationToken),
            r => [.. r.Before.Timings, .. r.After.Timings, .. r.Timings],
            cancellationToken);

    private async Task<T> RunGatedAsync<T>(string activityName, Func<T> work, Func<T, IEnumerable<StageTiming>> timings, CancellationToken cancellationToken)
    {
        using var lease = await gate.EnterAsync(cancellationToken).ConfigureAwait(false);
        using var activity = SmpVisionMetrics.ActivitySource.StartActivity(activityName);
        var result = await Task.Run(work, cancellationToken).ConfigureAwait(false);
        metrics.RecordStages(timings(result));
        return result;
    }
}
