namespace Mandate.Core.Decisions;

/// <summary>When a decision is answered relative to its audit record (<c>Mandate:Decisions:AuditDurability</c>).</summary>
internal enum AuditDurability
{
    /// <summary>
    /// The default: a decision, allow or deny, is answered only once the transaction holding its record has committed
    /// (group commit: the writer commits many records per transaction and wakes every decision in it). A crash loses no
    /// answered decision; a record not committed within <see cref="DecisionOptions.AuditQueueWaitTimeout"/> refuses the
    /// decision (503 <c>audit-unavailable</c>).
    /// </summary>
    Committed,

    /// <summary>
    /// A decision is answered once its record is queued, before it is committed: lower latency, but a crash of the node
    /// (SIGKILL, power loss) loses the answered decisions still in the queue. For operators who accept that.
    /// </summary>
    Queued,
}
