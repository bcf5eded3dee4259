namespace Mandate.Core.Governance.Findings;

/// <summary>
/// A registered (SPIFFE) identity as findings judge it: its record, and what the credentials table says of the
/// credentials issued to it (task credentials and exchanged tokens).
/// </summary>
internal sealed record RegisteredIdentityFacts
{
    public required string SpiffeId { get; init; }

    public required string Owner { get; init; }

    /// <summary>The stored status: <c>active</c>, <c>suspended</c>, <c>revoked</c>, <c>offboarded</c>, ….</summary>
    public required string Status { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>Credentials issued to it that are neither revoked nor expired.</summary>
    public int LiveCredentials { get; init; }

    /// <summary>The live credential that expires last, and when.</summary>
    public string? LatestLiveCredential { get; init; }

    public DateTimeOffset? LatestLiveExpiry { get; init; }

    /// <summary>The last use any of its credentials recorded (credentials.last_used_at).</summary>
    public DateTimeOffset? LastCredentialUse { get; init; }
}
