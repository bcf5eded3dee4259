namespace Mandate.Core.Decisions;

/// <summary>When a decision is answered relative to its audit record (<c>Mandate:Decisions:AuditDurability</c>).</summary>
internal enum AuditDurability
{
    /// <summary>
    /// The default: a decision, allow or deny, is answered only once the transaction holding its record has committed
    /// (group commit: the writer commits many records per transaction and wakes every decision in it). A crash of the
    /// process loses no answered decision. On SQLite the commit is written to the log without waiting for the disk's
    /// sync, which follows within <see cref="DecisionOptions.AuditFlushInterval"/>: a crash of the whole machine (power
    /// loss) in that window can lose the decisions answered in it. A record not committed within
    /// <see cref="DecisionOptions.AuditQueueWaitTimeout"/> refuses the decision (503 <c>audit-unavailable</c>).
    /// </summary>
    Committed,

    /// <summary>
    /// A decision is answered once its record is queued, before it is committed: lower latency, but a crash of the node
    /// (SIGKILL, power loss) loses the answered decisions still in the queue. For operators who accept that.
    /// </summary>
    Queued,

    /// <summary>
    /// As <see cref="Committed"/>, and the decision also waits until the commit is synced to the disk (SQLite:
    /// <c>synchronous = FULL</c> for the ledger's transactions): not even a power loss takes an answered decision, at the
    /// cost of a disk sync per batch on the decision path. PostgreSQL commits as its <c>synchronous_commit</c> says
    /// whichever is chosen.
    /// </summary>
    Flushed,
}
