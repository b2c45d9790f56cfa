using System.Runtime;
using System.Runtime.InteropServices;

namespace SmpVision.Pipeline.Tests.NativeMemory;

/// <summary>
/// Fails a test whose code leaks native memory (an undisposed Mat, an OrtValue left alive).
/// Runs the body twice to warm caches, then several more times with the garbage collector held
/// off (a no-GC region), so finalizers cannot quietly free what a missing Dispose leaked; the
/// growth of glibc's allocated bytes (all arenas plus mmapped chunks) must stay under the
/// tolerance: 2 MiB over 4 runs, below one leaked 1280x1024 mask per run (1.25 MiB) times 4 and
/// above the allocator's own drift (about 1 MiB seen here). Tests using it run in the non-parallel collection so other tests' allocations do
/// not count.
/// </summary>
internal static partial class NativeLeakGuard
{
    public static void AssertNoLeak(Action body, int iterations = 4, long toleranceBytes = 2 << 20)
    {
        body();
        body();
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

        var growth = AllocatedBytes() - before;
        Assert.True(growth < toleranceBytes, $"Native memory grew by {growth / 1024.0:0} KiB over {iterations} runs (tolerance {toleranceBytes / 1024} KiB): something is not disposed.");
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
