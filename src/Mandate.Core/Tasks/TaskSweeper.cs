using Mandate.Core.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Tasks;

/// <summary>
/// Closes tasks whose lease ended (revoking their credentials) on the injected clock's timer; a leader job
/// (<see cref="ClusterLeadership"/>): among nodes sharing a store only the leader sweeps.
/// </summary>
internal sealed partial class TaskSweeper(TaskService tasks, IOptions<TaskOptions> options, ClusterLeadership leadership, BackgroundHealth health, TimeProvider time, ILogger<TaskSweeper> logger) : BackgroundService
{
    public const string LoopName = "task-sweeper";

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        new BackgroundLoop(LoopName, health, time, logger).RunPeriodicAsync(options.Value.SweepInterval, token => leadership.RunIfLeaderAsync(LoopName, SweepAsync, token), stoppingToken);

    private async Task SweepAsync(CancellationToken cancellationToken)
    {
        var closed = await tasks.SweepAsync(cancellationToken).ConfigureAwait(false);
        if (closed > 0)
        {
            LogSwept(logger, closed);
        }
    }

    [LoggerMessage(EventId = 2100, Level = LogLevel.Information, Message = "Closed {Count} tasks whose lease ended and revoked their credentials")]
    private static partial void LogSwept(ILogger logger, int count);
}
