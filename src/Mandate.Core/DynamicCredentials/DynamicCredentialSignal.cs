namespace Mandate.Core.DynamicCredentials;

/// <summary>
/// Wakes this node's revoker as soon as a change that ends a task commits, so that a task's downstream credentials go
/// with the same immediacy as its own; the periodic pass is only the safety net (and the retry path).
/// </summary>
internal sealed class DynamicCredentialSignal
{
    private TaskCompletionSource next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Completes when the next nudge comes. Taken before a round starts, so that a nudge during the round is not lost:
    /// the wait after the round then returns at once.
    /// </summary>
    public Task Next => Volatile.Read(ref next).Task;

    public void Nudge() =>
        Interlocked.Exchange(ref next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
