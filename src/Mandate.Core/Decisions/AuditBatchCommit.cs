using System.Diagnostics;

namespace Mandate.Core.Decisions;

/// <summary>
/// The commit that decisions of one audit batch wait for (<see cref="AuditDurability.Committed"/>): one shared
/// completion per batch rather than one per decision, so a decision waiting for the disk costs an await, not an object
/// or a blocked thread. Completed by <see cref="DecisionAuditWriter"/> once the transaction holding every record that
/// joined it has committed; faulted (refusing those decisions with 503) when that does not happen within the wait
/// timeout counted from its first record (<see cref="DecisionAuditQueue"/> keeps the deadlines of all batches on one
/// timer: a timer per batch was an object per write), or when the writer gives the records up.
/// </summary>
internal sealed class AuditBatchCommit
{
    // Continuations run off the writer: it must not carry the answers of a whole batch before writing the next one.
    private readonly TaskCompletionSource completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the batch committed; faults with <see cref="AuditUnavailableException"/> otherwise.</summary>
    public Task Committed => completion.Task;

    /// <summary>Whether a record joined this batch (its deadline runs).</summary>
    public bool Joined { get; private set; }

    /// <summary>When the first record joined (<see cref="Stopwatch.GetTimestamp"/>, real time): its deadline counts from here.</summary>
    public long JoinedAt { get; private set; }

    /// <summary>Marks the batch joined when the first record joins (called under the queue's lock); true for that first record.</summary>
    public bool Join()
    {
        if (Joined)
        {
            return false;
        }

        JoinedAt = Stopwatch.GetTimestamp();
        Joined = true;
        return true;
    }

    public void Succeed() => completion.TrySetResult();

    /// <summary>Refuses the batch's decisions; false when it had already committed.</summary>
    public bool Fail(string message) => completion.TrySetException(new AuditUnavailableException(message));
}
