using Mandate.Core.Audit;
using Mandate.Core.Storage;
using Mandate.Server.Health;

namespace Mandate.Server.Audit;

/// <summary>
/// The walk of the whole chain that <see cref="AuditStartup"/> leaves to the background when it verified a long chain
/// from its last signed checkpoint only: the server serves meanwhile, and a chain that turns out broken further back
/// is reported exactly as at start (a critical log line and a /readyz problem).
/// </summary>
internal sealed class AuditFullVerification(IMandateStore store, ReadinessChecks readiness, ILogger<AuditFullVerification> logger) : BackgroundService
{
    private readonly TaskCompletionSource requested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Asks for one walk of the whole chain once the host runs.</summary>
    public void Request() => requested.TrySetResult();

    /// <summary>Whether the start-up check left the whole walk to this service (for tests).</summary>
    public bool Requested => requested.Task.IsCompleted;

    /// <summary>Completes when the asked walk is over, or the host stops (for tests).</summary>
    public Task Completion => done.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await requested.Task.WaitAsync(stoppingToken);
            var result = await AuditStoreVerifier.VerifyAsync(store, null, stoppingToken);
            AuditStartup.Report(result, readiness, logger);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown (or none asked): the next start checks again.
        }
#pragma warning disable CA1031 // A failed walk must not stop the host; the start-up check stands and the log says so.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            AuditServerLog.FullVerificationFailed(logger, ex);
        }
        finally
        {
            done.TrySetResult();
        }
    }
}
