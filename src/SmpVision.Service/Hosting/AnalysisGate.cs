using System.Diagnostics;
using Microsoft.Extensions.Options;
using SmpVision.Service.Configuration;
using SmpVision.Service.Errors;
using SmpVision.Service.Telemetry;

namespace SmpVision.Service.Hosting;

/// <summary>
/// Bounds concurrent analyses: requests queue for a slot for at most QueueTimeoutSeconds, then get
/// RESOURCE_EXHAUSTED with a retry hint, so a burst degrades into clear refusals rather than
/// memory growth or deadline-missing work.
/// </summary>
public sealed class AnalysisGate(IOptions<ServiceOptions> options, SmpVisionMetrics metrics) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(options.Value.EffectiveConcurrency, options.Value.EffectiveConcurrency);
    private readonly TimeSpan _queueTimeout = TimeSpan.FromSeconds(options.Value.QueueTimeoutSeconds);

    /// <summary>Slots in total.</summary>
    public int Capacity { get; } = options.Value.EffectiveConcurrency;

    /// <summary>Waits for a slot; the returned lease frees it.</summary>
    public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var entered = await _slots.WaitAsync(_queueTimeout, cancellationToken).ConfigureAwait(false);
        metrics.RecordQueueWait(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        if (!entered)
        {
            throw RpcErrors.Busy(
                $"The service is busy: all {Capacity} analysis slots stayed in use for {_queueTimeout.TotalSeconds:0.#} s. Retry in a few seconds (with backoff), or ask the operator to raise SmpVision:Service:MaxConcurrentAnalyses on a larger machine.",
                TimeSpan.FromSeconds(2));
        }

        return new Lease(_slots);
    }

    /// <inheritdoc />
    public void Dispose() => _slots.Dispose();

    private sealed class Lease(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
            }
        }
    }
}
