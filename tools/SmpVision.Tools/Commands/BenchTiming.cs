using System.Diagnostics;

namespace SmpVision.Tools.Commands;

/// <summary>Stopwatch timing and order statistics shared by the bench commands.</summary>
internal static class BenchTiming
{
    /// <summary>Wall time of one call, in milliseconds.</summary>
    public static double Milliseconds(Action action)
    {
        var start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    /// <summary>Median wall time of <paramref name="repeat"/> calls after one warm-up call (JIT tiering, OpenCV buffers).</summary>
    public static double MedianMilliseconds(Action action, int repeat)
    {
        action();
        return Median(Enumerable.Range(0, repeat).Select(_ => Milliseconds(action)));
    }

    public static double Median(IEnumerable<double> values) => Percentile(values, 0.5);

    /// <summary>Nearest-rank percentile (q in [0, 1]).</summary>
    public static double Percentile(IEnumerable<double> values, double q)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Round(q * (sorted.Count - 1)), 0, sorted.Count - 1)];
    }
}
