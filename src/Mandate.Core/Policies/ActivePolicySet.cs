namespace Mandate.Core.Policies;

/// <summary>
/// The policy set decisions are made under. A reader takes <see cref="Current"/> once per decision; a new snapshot
/// replaces it with one reference write, so a decision never sees half of a reload.
/// </summary>
internal sealed class ActivePolicySet
{
    private readonly Lock swapGate = new();
    private PolicySnapshot current;
    private PolicyRejection? lastRejection;
    private long activationSequence;

    public ActivePolicySet(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        current = PolicyCompiler.Empty(time.GetUtcNow());
    }

    public PolicySnapshot Current => Volatile.Read(ref current);

    /// <summary>
    /// The store's sequence of the activation in force (0 before any): activations committed by any node sharing the
    /// store are ordered by it, so a node moves only forward, whatever order it hears of them in.
    /// </summary>
    public long ActivationSequence => Volatile.Read(ref activationSequence);

    /// <summary>The last bundle refused since the last successful activation, or null.</summary>
    public PolicyRejection? LastRejection => Volatile.Read(ref lastRejection);

    /// <summary>Raised after a snapshot is swapped in.</summary>
    public event EventHandler<PolicySnapshot>? Activated;

    /// <summary>Raised when a bundle is refused (the current snapshot stays); and with null after a later success.</summary>
    public event EventHandler<PolicyRejection?>? RejectionChanged;

    internal void Activate(PolicySnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        lock (swapGate)
        {
            Swap(snapshot);
        }
    }

    /// <summary>
    /// Swaps in <paramref name="snapshot"/>, the version of store activation <paramref name="sequence"/>, unless an
    /// activation at least as recent is in force already (then false and nothing changes).
    /// </summary>
    internal bool TryActivate(PolicySnapshot snapshot, long sequence)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        lock (swapGate)
        {
            if (sequence <= activationSequence)
            {
                return false;
            }

            Volatile.Write(ref activationSequence, sequence);
            Swap(snapshot);
            return true;
        }
    }

    // Under swapGate, so listeners see activations in the order they were swapped in.
    private void Swap(PolicySnapshot snapshot)
    {
        Volatile.Write(ref current, snapshot);
        var hadRejection = Interlocked.Exchange(ref lastRejection, null) is not null;
        Activated?.Invoke(this, snapshot);
        if (hadRejection)
        {
            RejectionChanged?.Invoke(this, null);
        }
    }

    internal void Reject(PolicyRejection rejection)
    {
        Volatile.Write(ref lastRejection, rejection);
        RejectionChanged?.Invoke(this, rejection);
    }
}
