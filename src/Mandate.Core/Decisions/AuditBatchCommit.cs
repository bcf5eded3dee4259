namespace Mandate.Core.Decisions;

/// <summary>
/// The commit that decisions of one audit batch wait for (<see cref="AuditDurability.Committed"/>): one shared
/// completion per batch rather than one per decision, so a decision waiting for the disk costs an await, not an object
/// or a blocked thread. Completed by <see cref="DecisionAuditWriter"/> once the transaction holding every record that
/// joined it has committed; faulted (refusing those decisions with 503) when that does not happen within the wait
/// timeout counted from its first record, or when the writer gives the records up.
/// </summary>
internal sealed class AuditBatchCommit
{
    // Continuations run off the writer: it must not carry the answers of a whole batch before writing the next one.
    private readonly TaskCompletionSource completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ITimer? deadline;
    private DecisionAuditQueue? queue;

    /// <summary>Completes when the batch committed; faults with <see cref="AuditUnavailableException"/> otherwise.</summary>
    public Task Committed => completion.Task;

    /// <summary>Whether a record joined this batch (its deadline runs).</summary>
    public bool Joined => deadline is not null;

    /// <summary>Starts the deadline when the first record joins (called under the queue's lock).</summary>
    public void Join(DecisionAuditQueue owner, TimeProvider time, TimeSpan timeout)
    {
        if (deadline is null)
        {
            queue = owner;
            deadline = time.CreateTimer(
                static state =>
                {
                    var commit = (AuditBatchCommit)state!;
                    commit.queue!.Expired(commit);
                },
                this,
                timeout,
                Timeout.InfiniteTimeSpan);
        }
    }

    public void Succeed()
    {
        completion.TrySetResult();
        deadline?.Dispose();
    }

    /// <summary>Refuses the batch's decisions; false when it had already committed.</summary>
    public bool Fail(string message)
    {
        var failed = completion.TrySetException(new AuditUnavailableException(message));
        deadline?.Dispose();
        return failed;
    }
}
