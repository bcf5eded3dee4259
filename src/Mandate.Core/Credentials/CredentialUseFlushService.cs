using Mandate.Core.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Credentials;

/// <summary>
/// Writes recorded credential uses to the store periodically and once more at shutdown. A failed flush keeps the
/// uses for the next one (<see cref="CredentialUseRecorder.FlushAsync"/> puts its batch back).
/// </summary>
internal sealed partial class CredentialUseFlushService(
    CredentialUseRecorder recorder,
    IOptions<RevocationSyncOptions> options,
    BackgroundHealth health,
    TimeProvider time,
    ILogger<CredentialUseFlushService> logger) : BackgroundService
{
    public const string LoopName = "credential-use-flush";

    private readonly BackgroundLoop loop = new(LoopName, health, time, logger);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        loop.RunPeriodicAsync(options.Value.UseFlushInterval, recorder.FlushAsync, stoppingToken);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);

        // The last flush is retried until the host's shutdown deadline; uses still pending then are lost with the process.
        if (!await loop.RunUntilSuccessAsync(recorder.FlushAsync, cancellationToken).ConfigureAwait(false))
        {
            LogFinalFlushFailed(logger);
        }
    }

    [LoggerMessage(EventId = 2203, Level = LogLevel.Error, Message = "Shutdown overtook the last write of credential uses; the uses recorded since the last flush are not stored")]
    private static partial void LogFinalFlushFailed(ILogger logger);
}
