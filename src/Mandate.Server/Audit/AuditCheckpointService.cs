using Mandate.Core.Audit;
using Mandate.Core.Hosting;
using Mandate.Server.Health;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Audit;

/// <summary>
/// Signs a checkpoint whenever enough events piled up or the interval passed with events pending, and once more at
/// shutdown; a leader job (<see cref="ClusterLeadership"/>): among nodes sharing a store only the leader signs, over
/// every node's events.
/// </summary>
internal sealed class AuditCheckpointService(
    AuditCheckpointer checkpointer,
    ClusterLeadership leadership,
    AuditCheckpointSignal signal,
    IOptions<AuditOptions> options,
    TimeProvider time,
    ReadinessChecks readiness,
    BackgroundHealth health,
    ILogger<AuditCheckpointService> logger) : BackgroundService
{
    public const string Component = "audit-checkpoints";

    private readonly BackgroundLoop loop = new("audit-checkpoint-signer", health, time, logger);
    private readonly RetryBackoff backoff = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        health.Started(loop.Name);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await signal.WaitAsync(options.Value.CheckpointInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            if (!await CheckpointAsync(stoppingToken))
            {
                // Back off before the next attempt, however soon events signal again.
                try
                {
                    await Task.Delay(backoff.Next(), time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await CheckpointAsync(cancellationToken);
    }

    private async Task<bool> CheckpointAsync(CancellationToken cancellationToken)
    {
        var succeeded = await loop.RunRoundAsync(
            token => leadership.RunIfLeaderAsync(loop.Name, async token =>
            {
                try
                {
                    if (await checkpointer.CheckpointAsync(token) is { } checkpoint)
                    {
                        AuditServerLog.CheckpointSigned(logger, checkpoint.FromSequence, checkpoint.ToSequence, checkpoint.KeyId);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The loop logs the failure; /readyz also says what failed (a broken chain names its position).
                    readiness.Report(Component, ex is AuditChainBrokenException ? ex.Message : "the last checkpoint failed: " + ex.Message);
                    throw;
                }
            }, token),
            backoff,
            cancellationToken);
        if (succeeded)
        {
            readiness.Report(Component, null);
        }

        return succeeded;
    }
}
