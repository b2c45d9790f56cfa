using Google.Rpc;
using Grpc.Core;

namespace SmpVision.Service.Tests;

internal static class RpcAssert
{
    /// <summary>Asserts the call fails with <paramref name="code"/> and a BadRequest violation on <paramref name="field"/>; returns its description.</summary>
    public static async Task<string> FieldViolationAsync(StatusCode code, string field, Func<Task> call)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(code, ex.StatusCode);
        var status = ex.GetRpcStatus();
        Assert.NotNull(status);
        var badRequest = status!.GetDetail<BadRequest>();
        Assert.NotNull(badRequest);
        var violation = Assert.Single(badRequest!.FieldViolations);
        Assert.Equal(field, violation.Field);
        Assert.False(string.IsNullOrWhiteSpace(violation.Description));
        return violation.Description;
    }
}
