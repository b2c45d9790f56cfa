using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace SmpVision.Service.Security;

/// <summary>
/// States the security mode in the start-up log and enforces local development mode's promise:
/// it serves loopback addresses only. Bound anywhere else, the service stops with the reason.
/// </summary>
internal sealed partial class SecurityModeGuard(IServer server, IHostApplicationLifetime lifetime, IConfiguration configuration, IOptions<SecurityOptions> options, ILogger<SecurityModeGuard> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Before the server binds (hosted services start first): refuse configured exposed URLs.
        if (options.Value.IsLocalDevelopment)
        {
            var configured = configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"])
                .Concat((configuration["urls"] ?? "").Split(';'))
                .Where(u => !string.IsNullOrWhiteSpace(u) && !IsLoopback(u!)).ToList();
            if (configured.Count > 0)
            {
                throw new InvalidOperationException($"SmpVision:Security:Mode=LocalDevelopment serves localhost only, but these URLs are configured: {string.Join(", ", configured)}. Bind to localhost, or set SmpVision:Security:Mode=ApiKey and create clinic keys.");
            }
        }

        lifetime.ApplicationStarted.Register(Check);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Check()
    {
        var settings = options.Value;
        if (!settings.IsLocalDevelopment)
        {
            LogApiKeyMode(logger, settings.RequireClientCertificate);
            return;
        }

        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var exposed = addresses.Where(a => !IsLoopback(a)).ToList();
        if (exposed.Count > 0)
        {
            LogExposed(logger, string.Join(", ", exposed));
            Environment.ExitCode = 2;
            lifetime.StopApplication();
            return;
        }

        LogLocalDevelopment(logger, settings.LocalDevelopmentClinic, string.Join(", ", addresses));
    }

    /// <summary>True for localhost, 127.0.0.0/8 and ::1 URLs.</summary>
    internal static bool IsLoopback(string url)
    {
        if (!Uri.TryCreate(url.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri))
        {
            return false;
        }

        return uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Security: LOCAL DEVELOPMENT mode: no API keys are checked and every call acts as clinic '{Clinic}'. Serving on localhost only ({Addresses}). Set SmpVision:Security:Mode=ApiKey (the container default) before exposing the service.")]
    private static partial void LogLocalDevelopment(ILogger logger, string clinic, string addresses);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Security: LOCAL DEVELOPMENT mode refuses to serve on non-loopback addresses ({Addresses}); stopping. Bind to localhost, or set SmpVision:Security:Mode=ApiKey and create clinic keys.")]
    private static partial void LogExposed(ILogger logger, string addresses);

    [LoggerMessage(Level = LogLevel.Information, Message = "Security: API key mode: every call except health checks needs a clinic API key (x-api-key or authorization: Bearer); client certificates required: {ClientCertificates}")]
    private static partial void LogApiKeyMode(ILogger logger, bool clientCertificates);
}
