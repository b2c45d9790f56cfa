using System.Diagnostics;
using System.Diagnostics.Metrics;
using SmpVision.Pipeline.Model;

namespace SmpVision.Service.Telemetry;

/// <summary>OpenTelemetry instruments of the service: requests, rpc durations, stage durations, queue waits.</summary>
public sealed class SmpVisionMetrics : IDisposable
{
    /// <summary>Meter and activity source name.</summary>
    public const string Name = "SmpVision";

    private readonly Meter _meter;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _rpcDuration;
    private readonly Histogram<double> _stageDuration;
    private readonly Histogram<double> _queueWait;

    /// <summary>Creates the instruments on the process's meter factory.</summary>
    public SmpVisionMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(Name);
        _requests = _meter.CreateCounter<long>("smpvision.rpc.requests", "{request}", "RPCs handled, by method and status code.");
        _rpcDuration = _meter.CreateHistogram<double>("smpvision.rpc.duration", "ms", "Wall time of each RPC.");
        _stageDuration = _meter.CreateHistogram<double>("smpvision.pipeline.stage.duration", "ms", "Wall time of each pipeline stage.");
        _queueWait = _meter.CreateHistogram<double>("smpvision.queue.wait", "ms", "Time a request waited for an analysis slot.");
    }

    /// <summary>Traces of pipeline runs.</summary>
    public static ActivitySource ActivitySource { get; } = new(Name);

    /// <summary>Counts and times one RPC.</summary>
    public void RecordRpc(string method, string status, double milliseconds)
    {
        var tags = new TagList { { "rpc.method", method }, { "rpc.grpc.status_code", status } };
        _requests.Add(1, tags);
        _rpcDuration.Record(milliseconds, tags);
    }

    /// <summary>Records each stage's time.</summary>
    public void RecordStages(IEnumerable<StageTiming> timings)
    {
        ArgumentNullException.ThrowIfNull(timings);
        foreach (var t in timings)
        {
            _stageDuration.Record(t.Milliseconds, new KeyValuePair<string, object?>("stage", t.Stage));
        }
    }

    /// <summary>Records a queue wait.</summary>
    public void RecordQueueWait(double milliseconds) => _queueWait.Record(milliseconds);

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
