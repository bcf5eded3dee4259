namespace Mandate.Core.Policies;

/// <summary>A stored policy-set version: the whole bundle, where it came from, who made it and when it was last activated.</summary>
internal sealed record PolicyVersionRecord(
    long Sequence,
    string Version,
    string Origin,
    string Actor,
    DateTimeOffset CreatedAt,
    DateTimeOffset ActivatedAt,
    PolicyBundle Bundle);
