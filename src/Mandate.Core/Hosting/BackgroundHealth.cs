using System.Collections.Concurrent;
using Mandate.Core.Storage;

namespace Mandate.Core.Hosting;

/// <summary>
/// The state of every background loop (revocation sync, decision audit writer, task sweeper, …) as it last reported
/// it: running, or failing since when, how often and with what kind of error. <c>/readyz</c> shows it; a loop failing
/// longer than the grace period makes the node not ready.
/// </summary>
internal sealed class BackgroundHealth(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, BackgroundLoopState> states = new(StringComparer.Ordinal);

    /// <summary>Registers a loop as running (so it is listed before its first round ends).</summary>
    public void Started(string loop) => states.TryAdd(loop, BackgroundLoopState.Running(loop));

    public void Succeeded(string loop)
    {
        // Busy loops report every round (the decision audit writer every batch): a running state is kept, not renewed.
        if (!states.TryGetValue(loop, out var state) || state.IsFailing)
        {
            states[loop] = BackgroundLoopState.Running(loop);
        }
    }

    /// <summary>Records a failed round; the first failure of a streak fixes <see cref="BackgroundLoopState.FailingSince"/>.</summary>
    public BackgroundLoopState Failed(string loop, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var now = time.GetUtcNow();
        var kind = KindOf(exception);
        return states.AddOrUpdate(
            loop,
            (name, state) => new BackgroundLoopState(name, state.now, 1, state.kind),
            (name, existing, state) => new BackgroundLoopState(name, existing.FailingSince ?? state.now, existing.Failures + 1, state.kind),
            (now, kind));
    }

    public IReadOnlyList<BackgroundLoopState> Snapshot() => [.. states.Values.OrderBy(s => s.Loop, StringComparer.Ordinal)];

    /// <summary>A short, secret-free name for what went wrong: the store fault, else the exception's type.</summary>
    public static string KindOf(Exception exception) => exception switch
    {
        StoreException store => "store-" + store.Fault.ToString().ToLowerInvariant(),
        _ => exception.GetType().Name,
    };
}
