using Microsoft.Extensions.Options;
using SmpVision.Records;

namespace SmpVision.Service.Hosting;

/// <summary>
/// Migrates the record store before the service takes calls, then sweeps orphan photo files
/// (left by a crash between file and row) at start and every OrphanSweepIntervalMinutes.
/// </summary>
internal sealed partial class RecordStoreHost(IRecordStore store, IOptions<RecordStoreOptions> options, ILogger<RecordStoreHost> logger) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Awaited here, not in ExecuteAsync: hosted services start before the server listens.
        await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
        var where = store.Kind == "sqlite" ? Path.GetFullPath(Path.Combine(options.Value.DataDirectory, "records.db")) : "the configured PostgreSQL database";
        LogStore(logger, store.Kind, where, Path.GetFullPath(Path.Combine(options.Value.DataDirectory, "images")));
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(settings.OrphanSweepIntervalMinutes));
        do
        {
            try
            {
                var removed = await store.SweepOrphanFilesAsync(TimeSpan.FromMinutes(settings.OrphanSweepMinimumAgeMinutes), stoppingToken).ConfigureAwait(false);
                if (removed > 0)
                {
                    LogSwept(logger, removed);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // a failed sweep is retried at the next interval; it must not stop the service
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogSweepFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Records: {Kind} store at {Location}; photos under {ImageRoot}")]
    private static partial void LogStore(ILogger logger, string kind, string location, string imageRoot);

    [LoggerMessage(Level = LogLevel.Information, Message = "Records: the sweep removed {Count} orphan photo file(s)")]
    private static partial void LogSwept(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Records: the orphan sweep failed")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
