using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using SmpVision.Pipeline.Analysis;
using SmpVision.Service.Configuration;

namespace SmpVision.Service.Hosting;

/// <summary>Whether the pipeline (native libraries, models) has loaded and run once.</summary>
public sealed class PipelineReadiness
{
    private volatile string? _failure;
    private volatile bool _ready;

    /// <summary>True once the warm-up analysis succeeded.</summary>
    public bool IsReady => _ready;

    /// <summary>Why warm-up failed, if it did.</summary>
    public string? Failure => _failure;

    internal void MarkReady() => _ready = true;

    internal void MarkFailed(string reason) => _failure = reason;
}

/// <summary>Health check behind grpc.health.v1: SERVING only after the warm-up analysis ran.</summary>
internal sealed class PipelineHealthCheck(PipelineReadiness readiness) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(readiness.IsReady
            ? HealthCheckResult.Healthy("Pipeline loaded.")
            : HealthCheckResult.Unhealthy(readiness.Failure ?? "Pipeline is warming up."));
}

/// <summary>
/// Loads the native libraries and runs one analysis of a generated frame at start, so the first
/// clinic request does not pay the load time and health reports SERVING only when work can run.
/// </summary>
internal sealed partial class PipelineWarmup(
    ScalpAnalyzer analyzer,
    PipelineReadiness readiness,
    IOptions<ServiceOptions> options,
    ILogger<PipelineWarmup> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Run(
        () =>
        {
            try
            {
                ScalpAnalyzer.ConfigureNativeThreads(options.Value.OpenCvThreads);
                analyzer.WarmUp(stoppingToken);
                readiness.MarkReady();
                LogReady(logger, ScalpAnalyzer.PipelineVersion, ScalpAnalyzer.OpenCvVersion);
            }
            catch (OperationCanceledException)
            {
                // Shutting down during warm-up.
            }
#pragma warning disable CA1031 // Any failure must keep the host up and report NOT_SERVING with its reason.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                readiness.MarkFailed("Pipeline failed to load: " + ex.Message);
                LogFailed(logger, ex);
            }
        },
        stoppingToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pipeline ready (pipeline {PipelineVersion}, OpenCV {OpenCvVersion})")]
    private static partial void LogReady(ILogger logger, string pipelineVersion, string openCvVersion);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Pipeline warm-up failed; health stays NOT_SERVING")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
