using Microsoft.Extensions.Options;
using SmpVision.Service.Configuration;
using SmpVision.Service.Errors;

namespace SmpVision.Service.Hosting;

/// <summary>
/// Bounds streamed uploads: how many are open at once and how many bytes they hold together.
/// Without it, 20 uploads stalled after 60 MiB each once held 1.24 GB indefinitely. Refusals
/// are RESOURCE_EXHAUSTED with a retry hint; every reservation is returned when its upload ends,
/// fails or is cancelled (the lease's Dispose).
/// </summary>
public sealed class UploadGate(IOptions<ServiceOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(options.Value.MaxConcurrentUploads, options.Value.MaxConcurrentUploads);
    private readonly long _maxBufferedBytes = options.Value.MaxBufferedUploadBytes;
    private long _bufferedBytes;
    private long _lastCollectTicks;

    /// <summary>Uploads open now.</summary>
    public int InFlight => options.Value.MaxConcurrentUploads - _slots.CurrentCount;

    /// <summary>Bytes reserved by open uploads (and by their images until the analysis ends).</summary>
    public long BufferedBytes => Interlocked.Read(ref _bufferedBytes);

    /// <summary>Takes an upload slot at once or refuses: a stalled upload must not queue others behind it.</summary>
    public Lease Enter()
    {
        if (!_slots.Wait(0))
        {
            throw RpcErrors.Busy(
                $"All {options.Value.MaxConcurrentUploads} upload slots are in use. Retry in a few seconds, or send photos under {options.Value.MaxUnaryImageBytes / 1048576.0:0.#} MiB with the unary Analyze.",
                TimeSpan.FromSeconds(2));
        }

        return new Lease(this);
    }

    /// <inheritdoc />
    public void Dispose() => _slots.Dispose();

    private void Reserve(long bytes)
    {
        if (Interlocked.Add(ref _bufferedBytes, bytes) > _maxBufferedBytes)
        {
            Interlocked.Add(ref _bufferedBytes, -bytes);
            throw RpcErrors.Busy(
                $"Uploads in progress already hold {_maxBufferedBytes / 1048576.0:0} MiB, the most the service buffers at once. Retry in a few seconds.",
                TimeSpan.FromSeconds(2));
        }
    }

    private void Release(long bytes, bool large)
    {
        Interlocked.Add(ref _bufferedBytes, -bytes);
        // A large upload's buffer lives on the large-object heap until a full collection; after
        // an upload ends, ask for a background one (at most once a second) so that the memory of
        // cancelled and finished uploads goes back to the OS instead of waiting for pressure.
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _lastCollectTicks);
        if (large && now - last > 1000 && Interlocked.CompareExchange(ref _lastCollectTicks, now, last) == last)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: false);
        }
    }

    /// <summary>One upload's slot and byte reservation.</summary>
    public sealed class Lease(UploadGate gate) : IDisposable
    {
        private long _reserved;
        private int _disposed;

        /// <summary>Reserves <paramref name="bytes"/> more against the shared budget, or throws RESOURCE_EXHAUSTED.</summary>
        public void Reserve(long bytes)
        {
            gate.Reserve(bytes);
            _reserved += bytes;
        }

        /// <inheritdoc />
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                gate.Release(_reserved, _reserved >= 8L << 20);
                _reserved = 0;
                gate._slots.Release();
            }
        }
    }
}
