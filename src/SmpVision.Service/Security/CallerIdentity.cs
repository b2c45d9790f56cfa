using Grpc.Core;

namespace SmpVision.Service.Security;

/// <summary>Who is calling: the API key's id and its clinic (set by <see cref="ApiKeyInterceptor"/>).</summary>
internal sealed record CallerIdentity(string KeyId, string ClinicId)
{
    private const string UserStateKey = "smpvision.caller";

    public void AttachTo(ServerCallContext context) => context.UserState[UserStateKey] = this;

    /// <summary>The caller of this call; the interceptor runs before every service method, so it is always there.</summary>
    public static CallerIdentity Of(ServerCallContext context) =>
        context.UserState.TryGetValue(UserStateKey, out var value) && value is CallerIdentity caller
            ? caller
            : throw new InvalidOperationException("No caller identity: the API key interceptor did not run for this call.");
}
