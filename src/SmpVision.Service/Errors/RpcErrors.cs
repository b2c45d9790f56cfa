using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace SmpVision.Service.Errors;

/// <summary>
/// Builds rich errors: a google.rpc.Status carried in the grpc-status-details-bin trailer, with a
/// google.rpc.BadRequest naming the field and saying what to change (the grpc-dotnet Error example).
/// </summary>
internal static class RpcErrors
{
    /// <summary>
    /// Longest description sent: the status travels in HTTP/2 trailers, and one over the peer's
    /// header limit left a call (and the connection) unanswered. Descriptions never echo caller
    /// input unbounded; this is the last guard.
    /// </summary>
    public const int MaxDescriptionChars = 1024;

    private static string Bound(string text) => text.Length <= MaxDescriptionChars ? text : string.Concat(text.AsSpan(0, MaxDescriptionChars - 3), "...");

    public static RpcException FieldViolation(Code code, string field, string description) => FieldViolationBounded(code, Bound(field), Bound(description));

    private static RpcException FieldViolationBounded(Code code, string field, string description) =>
        new Google.Rpc.Status
        {
            Code = (int)code,
            Message = description,
            Details =
            {
                Any.Pack(new BadRequest
                {
                    FieldViolations = { new BadRequest.Types.FieldViolation { Field = field, Description = description } },
                }),
            },
        }.ToRpcException();

    public static RpcException Busy(string description, TimeSpan retryAfter) => BusyBounded(Bound(description), retryAfter);

    private static RpcException BusyBounded(string description, TimeSpan retryAfter) =>
        new Google.Rpc.Status
        {
            Code = (int)Code.ResourceExhausted,
            Message = description,
            Details = { Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(retryAfter) }) },
        }.ToRpcException();

    /// <summary>A refusal with a machine-readable reason (google.rpc.ErrorInfo) that clients can branch on.</summary>
    public static RpcException Refused(Code code, string reason, string description) => RefusedBounded(code, reason, Bound(description));

    private static RpcException RefusedBounded(Code code, string reason, string description) =>
        new Google.Rpc.Status
        {
            Code = (int)code,
            Message = description,
            Details = { Any.Pack(new ErrorInfo { Reason = reason, Domain = "smpvision.v1" }) },
        }.ToRpcException();

    public static RpcException Plain(Code code, string description) =>
        new Google.Rpc.Status { Code = (int)code, Message = Bound(description) }.ToRpcException();
}
