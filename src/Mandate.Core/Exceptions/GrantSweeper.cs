using Mandate.Core.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Exceptions;

/// <summary>
/// Ends grants and lapses requests past their expiry every <see cref="ExceptionOptions.SweepInterval"/>, whether or not
/// anything asks for a decision: the store and the ledger (<c>exception.expired</c>) say so on time. A leader job
/// (<see cref="ClusterLeadership"/>): among nodes sharing a store only the leader sweeps (and each grant is ended by a
/// compare-and-set on its status, so a change of leader mid-round cannot end one twice). A store error is logged and
/// retried (<see cref="BackgroundLoop"/>); it never stops the host. Decisions do not wait for it: an expired grant never
/// permits.
/// </summary>
internal sealed partial class GrantSweeper(
    ExceptionService exceptions,
    IOptions<ExceptionOptions> options,
    ClusterLeadership leadership,
    BackgroundHealth health,
    TimeProvider time,
    ILogger<GrantSweeper> logger) : BackgroundService
{
    public const string LoopName = "grant-sweeper";

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        new BackgroundLoop(LoopName, health, time, logger).RunPeriodicAsync(
            options.Value.SweepInterval,
            token => leadership.RunIfLeaderAsync(LoopName, SweepAsync, token),
            stoppingToken);

    private async Task SweepAsync(CancellationToken cancellationToken)
    {
        var ended = await exceptions.SweepAsync(cancellationToken).ConfigureAwait(false);
        if (ended > 0)
        {
            LogSwept(logger, ended);
        }
    }

    [LoggerMessage(EventId = 8000, Level = LogLevel.Information, Message = "Ended {Count} exception or break-glass grants and requests past their expiry")]
    private static partial void LogSwept(ILogger logger, int count);
}
