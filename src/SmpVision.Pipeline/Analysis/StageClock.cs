using System.Diagnostics;
using SmpVision.Pipeline.Model;

namespace SmpVision.Pipeline.Analysis;

/// <summary>Times pipeline stages and checks cancellation between them, so deadlines reach every stage.</summary>
internal sealed class StageClock(CancellationToken cancellationToken)
{
    private readonly List<StageTiming> _timings = [];

    public IReadOnlyList<StageTiming> Timings => _timings;

    public T Run<T>(string stage, Func<T> body)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var start = Stopwatch.GetTimestamp();
        try
        {
            return body();
        }
        finally
        {
            _timings.Add(new StageTiming(stage, Stopwatch.GetElapsedTime(start).TotalMilliseconds));
        }
    }

    /// <summary>Adds timings measured inside a composite stage (e.g. the trichoscopy sub-stages).</summary>
    public void AddRange(IEnumerable<StageTiming> timings) => _timings.AddRange(timings);
}
