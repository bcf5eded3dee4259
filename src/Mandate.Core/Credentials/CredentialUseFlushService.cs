using Mandate.Core.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Credentials;

/// <summary>Writes recorded credential uses to the store periodically and once more at shutdown.</summary>
internal sealed partial class CredentialUseFlushService(
    CredentialUseRecorder recorder,
    IOptions<RevocationSyncOptions> options,
    TimeProvider time,
    ILogger<CredentialUseFlushService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.UseFlushInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await FlushAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the final flush happens in StopAsync.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            await recorder.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (StoreException ex)
        {
            LogFlushFailed(logger, ex.Message);
        }
    }

    [LoggerMessage(EventId = 2203, Level = LogLevel.Warning, Message = "Writing credential uses failed (kept for the next flush): {Problem}")]
    private static partial void LogFlushFailed(ILogger logger, string problem);
}
