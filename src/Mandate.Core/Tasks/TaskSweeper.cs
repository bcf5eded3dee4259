using Mandate.Core.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Tasks;

/// <summary>Closes tasks whose lease ended (revoking their credentials) on the injected clock's timer.</summary>
internal sealed partial class TaskSweeper(TaskService tasks, IOptions<TaskOptions> options, TimeProvider time, ILogger<TaskSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    var closed = await tasks.SweepAsync(stoppingToken).ConfigureAwait(false);
                    if (closed > 0)
                    {
                        LogSwept(logger, closed);
                    }
                }
                catch (StoreException ex)
                {
                    LogSweepFailed(logger, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(EventId = 2100, Level = LogLevel.Information, Message = "Closed {Count} tasks whose lease ended and revoked their credentials")]
    private static partial void LogSwept(ILogger logger, int count);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "Task sweep failed: {Problem}")]
    private static partial void LogSweepFailed(ILogger logger, string problem);
}
