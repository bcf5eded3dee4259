namespace Mandate.Server.Hosting;

/// <summary>
/// Where the start-up is: which <see cref="IStartupTask"/> runs, and whether they have all finished. Kestrel listens
/// before the start-up tasks run (so <c>/healthz</c> answers at once); until <see cref="Ready"/> every request but
/// <c>/healthz</c> and <c>/readyz</c> is refused (<see cref="StartupGateMiddleware"/>) and the Mandate background
/// services wait (<see cref="StartupGatedHostedService"/>), so nothing is served or done against half-initialised state.
/// </summary>
internal sealed class StartupGate
{
    private readonly TaskCompletionSource ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile string step = "configuration";

    /// <summary>True once every start-up task has finished.</summary>
    public bool IsReady => ready.Task.IsCompletedSuccessfully;

    /// <summary>The start-up step in progress (kebab-case, e.g. <c>audit</c>), for <c>/readyz</c>.</summary>
    public string Step => step;

    /// <summary>Completes when start-up has finished; cancelled if it failed.</summary>
    public Task Ready => ready.Task;

    public void Begin(string stepName) => step = stepName;

    public void Open() => ready.TrySetResult();

    /// <summary>Start-up failed: the gate never opens; the waiting background services give up.</summary>
    public void Fail() => ready.TrySetCanceled();
}
