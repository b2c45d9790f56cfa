using Google.Rpc;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Options;
using SmpVision.Records;
using SmpVision.Service.Errors;

namespace SmpVision.Service.Security;

/// <summary>
/// Authenticates every call except health checks: the clinic API key comes as gRPC metadata (or
/// HTTP header for JSON) <c>x-api-key: &lt;key&gt;</c> or <c>authorization: Bearer &lt;key&gt;</c>. No key, an
/// unknown key and a revoked key all get UNAUTHENTICATED with the same message, so the answer
/// reveals nothing about which keys exist. Reflection is covered too: it follows the same rule.
/// </summary>
internal sealed partial class ApiKeyInterceptor(IApiKeyStore keys, IOptions<SecurityOptions> options, ILogger<ApiKeyInterceptor> logger) : Interceptor
{
    public const string ApiKeyHeader = "x-api-key";

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        await AuthenticateAsync(context).ConfigureAwait(false);
        return await continuation(request, context).ConfigureAwait(false);
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthenticateAsync(context).ConfigureAwait(false);
        return await continuation(requestStream, context).ConfigureAwait(false);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthenticateAsync(context).ConfigureAwait(false);
        await continuation(request, responseStream, context).ConfigureAwait(false);
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AuthenticateAsync(context).ConfigureAwait(false);
        await continuation(requestStream, responseStream, context).ConfigureAwait(false);
    }

    private async Task AuthenticateAsync(ServerCallContext context)
    {
        if (context.Method.StartsWith("/grpc.health.v1.Health/", StringComparison.Ordinal))
        {
            return; // load balancers and orchestrators probe without credentials
        }

        var settings = options.Value;
        if (settings.IsLocalDevelopment)
        {
            new CallerIdentity("local-development", settings.LocalDevelopmentClinic).AttachTo(context);
            return;
        }

        var presented = PresentedKey(context.RequestHeaders);
        ApiKeyRecord? key;
        try
        {
            key = presented is null ? null : await keys.AuthenticateAsync(presented, context.CancellationToken).ConfigureAwait(false);
        }
        catch (System.Data.Common.DbException ex)
        {
            LogStoreFailed(logger, context.Method, ex);
            throw Grpc.RecordsGrpcService.StoreUnavailable();
        }

        if (key is null)
        {
            LogRefused(logger, context.Method, presented is null ? "no key" : "unknown or revoked key");
            throw RpcErrors.Plain(Code.Unauthenticated, "A valid clinic API key is required: send it as metadata (HTTP header) 'x-api-key: <key>' or 'authorization: Bearer <key>'. Keys are created with 'SmpVision.Service keys create --clinic <clinic>'; a revoked key no longer works.");
        }

        new CallerIdentity(key.KeyId, key.ClinicId).AttachTo(context);
    }

    /// <summary>The key from x-api-key, else from a Bearer authorization header; null when neither is there.</summary>
    internal static string? PresentedKey(Metadata headers)
    {
        var direct = headers.GetValue(ApiKeyHeader);
        if (!string.IsNullOrWhiteSpace(direct))
        {
            return direct.Trim();
        }

        var authorization = headers.GetValue("authorization");
        const string Bearer = "Bearer ";
        return authorization is not null && authorization.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase) && authorization.Length > Bearer.Length
            ? authorization[Bearer.Length..].Trim()
            : null;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method}: the key store failed")]
    private static partial void LogStoreFailed(ILogger logger, string method, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string method, string reason);
}
