using Mandate.Core.Audit;
using Mandate.Core.Storage;
using Mandate.Server.Health;
using Mandate.Server.Hosting;

namespace Mandate.Server.Audit;

/// <summary>
/// Verifies the whole chain before the server takes traffic. A chain that does not verify is reported loudly (a
/// critical log line and a /readyz problem) and left exactly as it is: repairing it would destroy the evidence.
/// </summary>
internal sealed class AuditStartup(IMandateStore store, AuditSigningKeys keys, ReadinessChecks readiness, ILogger<AuditStartup> logger) : IStartupTask
{
    public const string Component = "audit";

    public int Order => 300;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var (publicKey, _) = await keys.CurrentAsync(cancellationToken);
        AuditServerLog.SigningKeyReady(logger, publicKey.KeyId);
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
