namespace Mandate.Core.Decisions;

/// <summary>What a decision does when the audit queue is full (<c>Mandate:Decisions:AuditOverflow</c>).</summary>
internal enum AuditOverflow
{
    /// <summary>
    /// The default: the decision waits for room (backpressure), at most <see cref="DecisionOptions.AuditQueueWaitTimeout"/>;
    /// after that the request is refused with 503 <c>audit-unavailable</c>. No decision is answered without its record.
    /// </summary>
    Wait,

    /// <summary>
    /// An operator's choice of speed over completeness: an allow that finds the queue full is answered and not written;
    /// the writer records how many were dropped in a counted <c>audit.dropped</c> event. Denies still wait.
    /// </summary>
    DropAllows,
}
