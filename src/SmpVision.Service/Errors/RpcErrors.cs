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
    public static RpcException FieldViolation(Code code, string field, string description) =>
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

    public static RpcException Busy(string description, TimeSpan retryAfter) =>
        new Google.Rpc.Status
        {
            Code = (int)Code.ResourceExhausted,
            Message = description,
            Details = { Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(retryAfter) }) },
        }.ToRpcException();

    /// <summary>A refusal with a machine-readable reason (google.rpc.ErrorInfo) that clients can branch on.</summary>
    public static RpcException Refused(Code code, string reason, string description) =>
        new Google.Rpc.Status
        {
            Code = (int)code,
            Message = description,
            Details = { Any.Pack(new ErrorInfo { Reason = reason, Domain = "smpvision.v1" }) },
        }.ToRpcException();

    public static RpcException Plain(Code code, string description) =>
        new Google.Rpc.Status { Code = (int)code, Message = description }.ToRpcException();
}
