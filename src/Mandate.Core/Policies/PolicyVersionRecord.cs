namespace Mandate.Core.Policies;

/// <summary>
/// A stored policy-set version: the whole bundle, where it came from and who made it (as first stored, never changed),
/// when it was stored, and when it was last activated (from the activation history).
/// </summary>
internal sealed record PolicyVersionRecord(
    long Sequence,
    string Version,
    string Origin,
    string Actor,
    DateTimeOffset CreatedAt,
    DateTimeOffset ActivatedAt,
    PolicyBundle Bundle);
