namespace Mandate.Server.Audit;

/// <summary>Log lines of the server's audit ledger (event ids 3100–3199).</summary>
internal static partial class AuditServerLog
{
    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "Audit chain verified: {Events} events, {Checkpoints} signed checkpoints, {Unsigned} events not yet checkpointed")]
    public static partial void ChainVerified(ILogger logger, long events, long checkpoints, long unsigned);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Critical, Message = "AUDIT CHAIN DOES NOT VERIFY at {Position}: {Reason}. The store was not repaired; /readyz reports it. Investigate with 'mandate audit verify'.")]
    public static partial void ChainBroken(ILogger logger, string position, string reason);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Information, Message = "Audit checkpoint signed over events {From}..{To} with key {KeyId}")]
    public static partial void CheckpointSigned(ILogger logger, long from, long to, string keyId);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Information, Message = "Audit chain verified from its last signed checkpoint ({From}..{To}) to its head {Head} ({Events} events); the whole chain is verified in the background")]
    public static partial void TailVerified(ILogger logger, long from, long to, long head, long events);

    [LoggerMessage(EventId = 3106, Level = LogLevel.Error, Message = "The background verification of the whole audit chain failed to run; the start-up check from the last checkpoint stands")]
    public static partial void FullVerificationFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Information, Message = "Audit checkpoint signing key {KeyId} ready")]
    public static partial void SigningKeyReady(ILogger logger, string keyId);
}
