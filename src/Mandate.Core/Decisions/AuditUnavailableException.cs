namespace Mandate.Core.Decisions;

/// <summary>
/// The audit queue stayed full for <see cref="DecisionOptions.AuditQueueWaitTimeout"/>: the ledger cannot keep up (or
/// the store is down), so the decision is refused rather than answered without its record. The server answers 503
/// <c>audit-unavailable</c>.
/// </summary>
internal sealed class AuditUnavailableException : Exception
{
    public AuditUnavailableException()
        : this("The audit ledger did not take the record in time; the decision was not answered.")
    {
    }

    public AuditUnavailableException(string message)
        : base(message)
    {
    }

    public AuditUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
