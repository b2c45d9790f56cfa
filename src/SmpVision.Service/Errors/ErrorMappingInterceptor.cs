using System.Diagnostics;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using Grpc.Core.Interceptors;
using SmpVision.Pipeline.Analysis;
using SmpVision.Pipeline.Imaging;
using SmpVision.Service.Telemetry;

namespace SmpVision.Service.Errors;

/// <summary>
/// One place where domain exceptions become gRPC statuses with actionable reasons, every RPC is
/// counted and timed, and unexpected failures are logged and answered INTERNAL without leaking
/// internals. Nothing here logs payloads: no image bytes, no patient identifiers.
/// </summary>
internal sealed partial class ErrorMappingInterceptor(SmpVisionMetrics metrics, ILogger<ErrorMappingInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation) =>
        await Guard(context, () => continuation(request, context)).ConfigureAwait(false);

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation) =>
        await Guard(context, () => continuation(requestStream, context)).ConfigureAwait(false);

    private async Task<T> Guard<T>(ServerCallContext context, Func<Task<T>> call)
    {
        var start = Stopwatch.GetTimestamp();
        var status = StatusCode.OK;
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            status = ex.StatusCode;
            throw;
        }
        catch (InvalidImageException ex)
        {
            status = StatusCode.InvalidArgument;
            throw RpcErrors.FieldViolation(Code.InvalidArgument, ex.Field, ex.Message);
        }
        catch (InvalidRequestException ex)
        {
            status = StatusCode.InvalidArgument;
            throw RpcErrors.FieldViolation(Code.InvalidArgument, ex.Field, ex.Message);
        }
        catch (InvalidProtocolBufferException ex)
        {
            // Guarded deserializers answer this first; kept for messages parsed by hand.
            status = StatusCode.InvalidArgument;
            throw RpcErrors.FieldViolation(Code.InvalidArgument, "", $"A message is not valid protobuf: {ex.Message}");
        }
        catch (ComparisonRefusedException ex)
        {
            status = StatusCode.FailedPrecondition;
            throw RpcErrors.Refused(Code.FailedPrecondition, "REGISTRATION_" + ToScreamingSnake(ex.Refusal.ToString()), ex.Message);
        }
        catch (OperationCanceledException) when (context.Deadline <= DateTime.UtcNow)
        {
            status = StatusCode.DeadlineExceeded;
            throw RpcErrors.Plain(Code.DeadlineExceeded, "The deadline passed before the analysis finished. Allow more time (a 1280x1024 trichoscopy frame takes well under a second when the service is idle) or retry when it is less busy.");
        }
        catch (OperationCanceledException)
        {
            status = StatusCode.Cancelled;
            throw RpcErrors.Plain(Code.Cancelled, "The call was cancelled by the client.");
        }
#pragma warning disable CA1031 // The process must survive any failure of one request.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            status = StatusCode.Internal;
            var reference = Activity.Current?.TraceId.ToString() ?? Guid.NewGuid().ToString("N");
            LogUnexpected(logger, context.Method, reference, ex);
            throw RpcErrors.Plain(Code.Internal, $"The analysis failed unexpectedly (reference {reference}). The input was not at fault as far as the service can tell; retry, and report the reference if it persists.");
        }
        finally
        {
            var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            metrics.RecordRpc(context.Method, status.ToString(), elapsed);
            LogCompleted(logger, context.Method, status, elapsed);
        }
    }

    private static string ToScreamingSnake(string pascal) =>
        string.Concat(pascal.Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : char.ToUpperInvariant(c).ToString()));

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} finished with {Status} in {ElapsedMilliseconds:0.0} ms")]
    private static partial void LogCompleted(ILogger logger, string method, StatusCode status, double elapsedMilliseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} failed unexpectedly, reference {Reference}")]
    private static partial void LogUnexpected(ILogger logger, string method, string reference, Exception exception);
}
