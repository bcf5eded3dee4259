namespace Mandate.Core.Policies;

/// <summary>
/// The policy set decisions are made under. A reader takes <see cref="Current"/> once per decision; a new snapshot
/// replaces it with one reference write, so a decision never sees half of a reload.
/// </summary>
internal sealed class ActivePolicySet
{
    private PolicySnapshot current;
    private PolicyRejection? lastRejection;

    public ActivePolicySet(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        current = PolicyCompiler.Empty(time.GetUtcNow());
    }

    public PolicySnapshot Current => Volatile.Read(ref current);

    /// <summary>The last bundle refused since the last successful activation, or null.</summary>
    public PolicyRejection? LastRejection => Volatile.Read(ref lastRejection);

    /// <summary>Raised after a snapshot is swapped in.</summary>
    public event EventHandler<PolicySnapshot>? Activated;

    /// <summary>Raised when a bundle is refused (the current snapshot stays); and with null after a later success.</summary>
    public event EventHandler<PolicyRejection?>? RejectionChanged;

    internal void Activate(PolicySnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
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
