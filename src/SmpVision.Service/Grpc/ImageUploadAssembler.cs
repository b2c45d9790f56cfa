using System.Security.Cryptography;
using Google.Rpc;
using Grpc.Core;
using Microsoft.Extensions.Options;
using SmpVision.Contracts.V1;
using SmpVision.Service.Configuration;
using SmpVision.Service.Errors;
using SmpVision.Service.Hosting;

namespace SmpVision.Service.Grpc;

/// <summary>An assembled upload: its header, the image bytes, and the gate lease that holds its slot and bytes until disposed.</summary>
internal sealed class AssembledUpload(UploadHeader header, byte[] image, UploadGate.Lease lease) : IDisposable
{
    public UploadHeader Header { get; } = header;

    public byte[] Image { get; } = image;

    public void Dispose() => lease.Dispose();
}

/// <summary>
/// Reassembles a chunked AnalyzeUpload stream into one encoded image, enforcing the limits as
/// chunks arrive (before the whole photo is buffered): the header-first protocol, the size limit,
/// chunk offsets and the SHA-256 when the client sends them, an idle and a total timeout, and
/// the upload gate's cap on open uploads and buffered bytes.
/// </summary>
internal sealed class ImageUploadAssembler(IOptions<ServiceOptions> options, UploadGate gate)
{
    public async Task<AssembledUpload> ReadAsync(IAsyncStreamReader<AnalyzeUploadRequest> stream, CancellationToken cancellationToken)
    {
        var lease = gate.Enter();
        try
        {
            using var total = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            total.CancelAfter(TimeSpan.FromSeconds(options.Value.UploadTotalTimeoutSeconds));
            var (header, image) = await AssembleAsync(stream, lease, total.Token, cancellationToken).ConfigureAwait(false);
            return new AssembledUpload(header, image, lease);
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    private async Task<(UploadHeader Header, byte[] Image)> AssembleAsync(IAsyncStreamReader<AnalyzeUploadRequest> stream, UploadGate.Lease lease, CancellationToken total, CancellationToken call)
    {
        var limit = options.Value.MaxUploadBytes;
        if (!await NextAsync(stream, total, call).ConfigureAwait(false))
        {
            throw RpcErrors.FieldViolation(Code.InvalidArgument, "header", "The upload stream was empty. Send a header message first, then the image in chunks.");
        }

        if (stream.Current.PartCase != AnalyzeUploadRequest.PartOneofCase.Header)
        {
            throw RpcErrors.FieldViolation(Code.InvalidArgument, "header", "The first upload message must be the header (options and total size), then the image chunks.");
        }

        var header = stream.Current.Header;
        if (header.TotalSizeBytes > (ulong)limit)
        {
            throw RpcErrors.FieldViolation(Code.ResourceExhausted, "header.total_size_bytes", $"The declared upload of {header.TotalSizeBytes / 1048576.0:0.#} MiB exceeds the {limit / 1048576.0:0.#} MiB limit. Downscale or recompress the photo.");
        }

        if (!header.Sha256.IsEmpty && header.Sha256.Length != 32)
        {
            throw RpcErrors.FieldViolation(Code.InvalidArgument, "header.sha256", $"sha256 must be the 32-byte SHA-256 digest of the image (got {header.Sha256.Length} bytes).");
        }

        var buffer = new UploadBuffer(header.TotalSizeBytes, lease);
        while (await NextAsync(stream, total, call).ConfigureAwait(false))
        {
            AppendChunk(stream.Current, buffer, limit);
        }

        var image = buffer.Complete(header.TotalSizeBytes);
        if (!header.Sha256.IsEmpty && !SHA256.HashData(image).AsSpan().SequenceEqual(header.Sha256.Span))
        {
            throw RpcErrors.FieldViolation(Code.InvalidArgument, "header.sha256", "The received bytes do not match the header's SHA-256: chunks were reordered or damaged in transfer. Send the upload again.");
        }

        return (header, image);
    }

    private static void AppendChunk(AnalyzeUploadRequest message, UploadBuffer buffer, long limit)
    {
        if (message.PartCase != AnalyzeUploadRequest.PartOneofCase.Chunk)
        {
            throw RpcErrors.FieldViolation(Code.InvalidArgument, "header", "Only the first upload message may be a header; the following ones must be chunks.");
        }

        if (message.HasOffsetBytes && message.OffsetBytes != (ulong)buffer.Length)
        {
            throw RpcErrors.FieldViolation(Code.InvalidArgument, "chunk.offset_bytes", $"A chunk says it starts at byte {message.OffsetBytes}, but {buffer.Length} bytes had arrived: chunks were reordered, lost or repeated. Send them in order.");
        }

        if (buffer.Length + (long)message.Chunk.Length > limit)
        {
            throw RpcErrors.FieldViolation(Code.ResourceExhausted, "chunk", $"The upload exceeds the {limit / 1048576.0:0.#} MiB limit. Downscale or recompress the photo.");
        }

        buffer.Append(message.Chunk.Span);
    }

    /// <summary>Moves to the next message within the idle timeout and the total timeout.</summary>
    private async Task<bool> NextAsync(IAsyncStreamReader<AnalyzeUploadRequest> stream, CancellationToken total, CancellationToken call)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(total);
        idle.CancelAfter(TimeSpan.FromSeconds(options.Value.UploadIdleTimeoutSeconds));
        try
        {
            return await stream.MoveNext(idle.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!call.IsCancellationRequested)
        {
            var which = total.IsCancellationRequested
                ? $"did not complete within {options.Value.UploadTotalTimeoutSeconds:0.#} s"
                : $"sent nothing for {options.Value.UploadIdleTimeoutSeconds:0.#} s";
            throw RpcErrors.Plain(Code.DeadlineExceeded, $"The upload {which}, so the service ended it and freed its memory. Send the chunks without pauses (SmpVision:Service:UploadIdleTimeoutSeconds / UploadTotalTimeoutSeconds).");
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && !call.IsCancellationRequested && total.IsCancellationRequested)
        {
            throw RpcErrors.Plain(Code.DeadlineExceeded, $"The upload did not complete within {options.Value.UploadTotalTimeoutSeconds:0.#} s, so the service ended it and freed its memory.");
        }
    }

    /// <summary>
    /// The image bytes: one array of the declared size when the header gives it (no copy at the
    /// end), otherwise grown by doubling. Every byte is reserved against the gate first.
    /// </summary>
    private sealed class UploadBuffer(ulong declared, UploadGate.Lease lease)
    {
        private byte[] _bytes = [];
        private int _capacityReserved;

        public int Length { get; private set; }

        public void Append(ReadOnlySpan<byte> chunk)
        {
            var needed = (long)Length + chunk.Length;
            if (needed > _bytes.Length)
            {
                var capacity = declared >= (ulong)needed ? (int)declared : (int)Math.Min(int.MaxValue, Math.Max(needed, Math.Max(1 << 20, 2L * _bytes.Length)));
                lease.Reserve(capacity - _capacityReserved);
                _capacityReserved = capacity;
                var grown = GC.AllocateUninitializedArray<byte>(capacity);
                _bytes.AsSpan(0, Length).CopyTo(grown);
                _bytes = grown;
            }

            chunk.CopyTo(_bytes.AsSpan(Length));
            Length += chunk.Length;
        }

        public byte[] Complete(ulong declaredTotal)
        {
            if (Length == 0)
            {
                throw RpcErrors.FieldViolation(Code.InvalidArgument, "chunk", "The upload carried a header but no image bytes.");
            }

            if (declaredTotal > 0 && (ulong)Length != declaredTotal)
            {
                throw RpcErrors.FieldViolation(Code.InvalidArgument, "header.total_size_bytes", $"The header declared {declaredTotal} bytes but {Length} arrived: the upload was cut off. Send it again.");
            }

            return Length == _bytes.Length ? _bytes : _bytes.AsSpan(0, Length).ToArray();
        }
    }
}
