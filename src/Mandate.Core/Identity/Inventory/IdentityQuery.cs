namespace Mandate.Core.Identity.Inventory;

/// <summary>
/// Filters for listing the inventory; null means any. Results are ordered by SPIFFE ID (descending when
/// <see cref="Descending"/>), after <see cref="After"/> in that order.
/// </summary>
internal sealed record IdentityQuery
{
    public string? Owner { get; init; }

    public NhiKind? Kind { get; init; }

    public IdentityStatus? Status { get; init; }

    /// <summary>Only identities whose expiry is at or before this instant (expired ones, given "now").</summary>
    public DateTimeOffset? ExpiresAtOrBefore { get; init; }

    /// <summary>Only identities whose expiry is after this instant (unexpired ones, given "now").</summary>
    public DateTimeOffset? ExpiresAfter { get; init; }

    public string? Environment { get; init; }

    /// <summary>A label that must be present with this value.</summary>
    public KeyValuePair<string, string>? Label { get; init; }

    /// <summary>Only SPIFFE IDs starting with this prefix.</summary>
    public string? Prefix { get; init; }

    /// <summary>Keyset pagination: SPIFFE IDs strictly after this in the listing's order (greater, or smaller when descending).</summary>
    public string? After { get; init; }

    public int Limit { get; init; } = 100;

    /// <summary>Lists in descending SPIFFE ID order (same index, read backwards).</summary>
    public bool Descending { get; init; }
}
