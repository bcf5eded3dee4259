using Microsoft.Extensions.Logging;

namespace Mandate.Core.Audit;

/// <summary>Log lines of the audit ledger; values are never logged, only event types and field names.</summary>
internal static partial class AuditLog
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Warning, Message = "Audit event {Type}: secret-looking values in {Fields} were replaced by their SHA-256 fingerprint")]
    public static partial void SecretRedacted(ILogger logger, string type, string fields);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Error, Message = "Audit group commit of {Count} events failed; none of them was acknowledged")]
    public static partial void GroupCommitFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Debug, Message = "Audit group commit: another writer moved the chain head; the batch of {Count} events is rechained on the current head")]
    public static partial void HeadMoved(ILogger logger, int count);
}
