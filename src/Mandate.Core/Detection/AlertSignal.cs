namespace Mandate.Core.Detection;

/// <summary>Wakes whoever waits for new alerts (the server-sent event streams) when the engine commits some.</summary>
internal sealed class AlertSignal
{
    private TaskCompletionSource next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next commit of alerts after this call.</summary>
    public Task Next => Volatile.Read(ref next).Task;

    public void Raised() =>
        Interlocked.Exchange(ref next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
