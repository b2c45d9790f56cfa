using System.Buffers;
using Google.Rpc;
using Grpc.Core;
using Microsoft.Extensions.Options;
using SmpVision.Contracts.V1;
using SmpVision.Service.Configuration;
using SmpVision.Service.Errors;

namespace SmpVision.Service.Grpc;

/// <summary>
/// Reassembles a chunked AnalyzeUpload stream into one encoded image, enforcing the upload limit
/// as chunks arrive (before the whole photo is buffered) and the header-first protocol.
/// </summary>
internal sealed class ImageUploadAssembler(IOptions<ServiceOptions> options)
{
    public async Task<(UploadHeader Header, byte[] Image)> ReadAsync(IAsyncStreamReader<AnalyzeUploadRequest> stream, CancellationToken cancellationToken)
    {
        var limit = options.Value.MaxUploadBytes;
        if (!await stream.MoveNext(cancellationToken).ConfigureAwait(false))
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

        var buffer = new ArrayBufferWriter<byte>(header.TotalSizeBytes > 0 ? (int)header.TotalSizeBytes : 1024 * 1024);
        while (await stream.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            var message = stream.Current;
            if (message.PartCase != AnalyzeUploadRequest.PartOneofCase.Chunk)
            {
                throw RpcErrors.FieldViolation(Code.InvalidArgument, "header", "Only the first upload message may be a header; the following ones must be chunks.");
            }

            if (buffer.WrittenCount + (long)message.Chunk.Length > limit)
            {
                throw RpcErrors.FieldViolation(Code.ResourceExhausted, "chunk", $"The upload exceeds the {limit / 1048576.0:0.#} MiB limit. Downscale or recompress the photo.");
            }

            message.Chunk.Span.CopyTo(buffer.GetSpan(message.Chunk.Length));
            buffer.Advance(message.Chunk.Length);
        }

        if (buffer.WrittenCount == 0)
        {
            throw RpcErrors.FieldViolation(Code.InvalidArgument, "chunk", "The upload carried a header but no image bytes.");
        }

        if (header.TotalSizeBytes > 0 && (ulong)buffer.WrittenCount != header.TotalSizeBytes)
        {
            throw RpcErrors.FieldViolation(Code.InvalidArgument, "header.total_size_bytes", $"The header declared {header.TotalSizeBytes} bytes but {buffer.WrittenCount} arrived: the upload was cut off. Send it again.");
        }

        return (header, buffer.WrittenSpan.ToArray());
    }
}
