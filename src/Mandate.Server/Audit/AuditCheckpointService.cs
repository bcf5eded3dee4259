using Mandate.Core.Audit;
using Mandate.Server.Health;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Audit;

/// <summary>Signs a checkpoint whenever enough events piled up or the interval passed with events pending, and once more at shutdown.</summary>
internal sealed class AuditCheckpointService(
    AuditCheckpointer checkpointer,
    AuditCheckpointSignal signal,
    IOptions<AuditOptions> options,
    TimeProvider time,
    ReadinessChecks readiness,
    ILogger<AuditCheckpointService> logger) : BackgroundService
{
    public const string Component = "audit-checkpoints";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
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

            await CheckpointAsync(stoppingToken);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await CheckpointAsync(cancellationToken);
    }

    private async Task CheckpointAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (await checkpointer.CheckpointAsync(cancellationToken) is { } checkpoint)
            {
                AuditServerLog.CheckpointSigned(logger, checkpoint.FromSequence, checkpoint.ToSequence, checkpoint.KeyId);
            }

            readiness.Report(Component, null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down; the next start signs what is pending.
        }
#pragma warning disable CA1031 // A failed checkpoint must not stop the server; it is logged and shown in /readyz.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            AuditServerLog.CheckpointFailed(logger, ex);
            readiness.Report(Component, ex is AuditChainBrokenException ? ex.Message : "the last checkpoint failed: " + ex.Message);
        }
    }
}
