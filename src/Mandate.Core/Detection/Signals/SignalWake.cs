namespace Mandate.Core.Detection.Signals;

/// <summary>Wakes the dispatcher when the fan-out (or an operator's redelivery) put new messages in the outbox.</summary>
internal sealed class SignalWake
{
    private TaskCompletionSource next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next <see cref="Raise"/> after this call.</summary>
    public Task Next => Volatile.Read(ref next).Task;

    public void Raise() =>
        Interlocked.Exchange(ref next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
