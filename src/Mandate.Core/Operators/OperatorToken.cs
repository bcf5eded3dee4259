namespace Mandate.Core.Operators;

/// <summary>
/// A stored operator token: its id and the SHA-256 of its secret, never the secret. Valid while not revoked, not
/// expired and its operator is enabled.
/// </summary>
internal sealed record OperatorToken
{
    /// <summary>Public identifier (<c>otk_…</c>): what lists, revocations and the ledger name.</summary>
    public required string Id { get; init; }

    /// <summary>Lower-case hex SHA-256 of the token.</summary>
    public required string TokenHash { get; init; }

    public required string OperatorName { get; init; }

    public required OperatorTokenKind Kind { get; init; }

    public string? Label { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required string CreatedBy { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    public DateTimeOffset? RevokedAt { get; init; }

    public string? RevokedBy { get; init; }

    public string? RevokedReason { get; init; }

    public bool IsUsableAt(DateTimeOffset now) => RevokedAt is null && now < ExpiresAt;

    /// <summary>A short fingerprint of the token for the ledger (<c>sha256:</c> and 16 hex digits of its hash).</summary>
    public string Fingerprint => "sha256:" + TokenHash[..16];
}
