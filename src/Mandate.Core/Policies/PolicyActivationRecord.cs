namespace Mandate.Core.Policies;

/// <summary>
/// One activation of a stored policy-set version, as the append-only activation history keeps it: which version, how
/// (<see cref="PolicyActivationKinds"/>), from where, by whom, when, and which version it replaced.
/// </summary>
internal sealed record PolicyActivationRecord(
    long Sequence,
    string Version,
    string Kind,
    string Origin,
    string Actor,
    DateTimeOffset ActivatedAt,
    string? PreviousVersion)
{
    /// <summary>True when this activation stored the version for the first time.</summary>
    public bool NewVersion { get; init; }
}
