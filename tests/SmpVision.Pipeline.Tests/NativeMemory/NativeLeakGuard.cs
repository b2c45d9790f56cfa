using System.Runtime;
using System.Runtime.InteropServices;

namespace SmpVision.Pipeline.Tests.NativeMemory;

/// <summary>
/// Fails a test whose code leaks native memory (an undisposed Mat, an OrtValue left alive).
/// Runs the body twice to warm caches, then measures windows of several runs each with the
/// garbage collector held off (a no-GC region), so finalizers cannot quietly free what a missing
/// Dispose leaked. The growth of glibc's allocated bytes (all arenas plus mmapped chunks) over a
/// window must stay under the tolerance: 2 MiB over 4 runs, below one leaked 1280x1024 mask per
/// run (1.25 MiB) times 4 and above the allocator's own drift (about 1 MiB seen here). A leak
/// repeats in every window; the allocator's one-off growth (a thread-local arena or OpenCV's
/// parallel buffers first touched mid-window: up to 3 MiB seen once in ~5 runs of the
/// common-geometry comparison) does not, so the test fails only when every window grows
/// (3 windows by default). Tests using it run in the non-parallel collection so other tests'
/// allocations do not count.
/// </summary>
internal static partial class NativeLeakGuard
{
    public static void AssertNoLeak(Action body, int iterations = 4, long toleranceBytes = 2 << 20, int windows = 3)
    {
        body();
        body();
        var growths = new List<long>();
        for (var w = 0; w < windows; w++)
        {
            var growth = MeasureWindow(body, iterations);
            if (growth < toleranceBytes)
            {
                return;
            }

            growths.Add(growth);
        }

        Assert.Fail($"Native memory grew in every window of {iterations} runs ({string.Join(", ", growths.Select(g => $"{g / 1024.0:0} KiB"))}; tolerance {toleranceBytes / 1024} KiB): something is not disposed.");
    }

    private static long MeasureWindow(Action body, int iterations)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        var before = AllocatedBytes();
        var noGc = GC.TryStartNoGCRegion(200L * 1024 * 1024);
        try
        {
            for (var i = 0; i < iterations; i++)
            {
                body();
            }
        }
        finally
        {
            if (noGc && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
            {
                GC.EndNoGCRegion();
            }
        }

        return AllocatedBytes() - before;
    }

    private static long AllocatedBytes()
    {
        var info = MallInfo2();
        return (long)(info.Uordblks + info.Hblkhd);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MallInfo
    {
        public nuint Arena;
        public nuint Ordblks;
        public nuint Smblks;
        public nuint Hblks;
        public nuint Hblkhd;
        public nuint Usmblks;
        public nuint Fsmblks;
        public nuint Uordblks;
        public nuint Fordblks;
        public nuint Keepcost;
    }

    [LibraryImport("libc", EntryPoint = "mallinfo2")]
    private static partial MallInfo MallInfo2();
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NonParallelCollection
{
    public const string Name = "native-memory";
}
