using Mandate.Core.Audit;
using Mandate.Core.Storage;
using Mandate.Server.Health;
using Mandate.Server.Hosting;

namespace Mandate.Server.Audit;

/// <summary>
/// Verifies the chain before the server takes traffic: a chain of at most <see cref="AuditOptions.StartupFullVerifyMaxEvents"/>
/// events whole; a longer one from its last signed checkpoint to its head (so a restart at a million events is ready
/// in about a second), and then whole in the background (<see cref="AuditFullVerification"/>). A chain that does not
/// verify is reported loudly (a critical log line and a /readyz problem) and left exactly as it is: repairing it would
/// destroy the evidence.
/// </summary>
internal sealed class AuditStartup(
    IMandateStore store,
    AuditSigningKeys keys,
    ReadinessChecks readiness,
    AuditFullVerification fullVerification,
    Microsoft.Extensions.Options.IOptions<AuditOptions> options,
    ILogger<AuditStartup> logger) : IStartupTask
{
    public const string Component = "audit";

    public int Order => 300;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        AuditPublicKey publicKey;
        try
        {
            (publicKey, _) = await keys.CurrentAsync(cancellationToken);
        }
        catch (AuditSigningKeyException ex)
        {
            throw new StartupException(ex.Message, ex);
        }

        AuditServerLog.SigningKeyReady(logger, publicKey.KeyId);
        var head = await AuditStoreVerifier.HeadSequenceAsync(store, cancellationToken);
        if (head > options.Value.StartupFullVerifyMaxEvents
            && await AuditStoreVerifier.VerifyFromLastCheckpointAsync(store, cancellationToken) is { } tail)
        {
            if (tail.Failure is null)
            {
                AuditServerLog.TailVerified(logger, tail.FirstSequence ?? 0, tail.LastSequence - tail.UnsignedEvents ?? 0, tail.LastSequence ?? 0, tail.Events);
                readiness.Report(Component, null);
                fullVerification.Request();
            }
            else
            {
                Report(tail, readiness, logger);
            }

            return;
        }

        var result = await AuditStoreVerifier.VerifyAsync(store, null, cancellationToken);
        Report(result, readiness, logger);
    }

    public static void Report(AuditVerificationResult result, ReadinessChecks readiness, ILogger logger)
    {
        if (result.Failure is { } failure)
        {
            AuditServerLog.ChainBroken(logger, failure.Position, failure.Reason);
            readiness.Report(Component, $"the audit chain does not verify at {failure.Position}: {failure.Reason}");
        }
        else
        {
            AuditServerLog.ChainVerified(logger, result.Events, result.Checkpoints, result.UnsignedEvents);
            readiness.Report(Component, null);
        }
    }
}
