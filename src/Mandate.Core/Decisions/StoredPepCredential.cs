namespace Mandate.Core.Decisions;

/// <summary>A PEP credential issued through the API: its id, name and the SHA-256 of its token, never the token.</summary>
internal sealed record StoredPepCredential
{
    /// <summary>Public identifier (<c>pcr_…</c>): what lists, revocations and the ledger name.</summary>
    public required string Id { get; init; }

    /// <summary>The enforcement point's name; its decisions are recorded as called by <c>pep:&lt;name&gt;</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Lower-case hex SHA-256 of the token.</summary>
    public required string TokenHash { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required string CreatedBy { get; init; }

    /// <summary>When it stops working; null: until revoked.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    public DateTimeOffset? RevokedAt { get; init; }

    public string? RevokedBy { get; init; }

    public string? RevokedReason { get; init; }

    public bool IsUsableAt(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || now < ExpiresAt);

    public string Fingerprint => "sha256:" + TokenHash[..16];
}
