namespace Mandate.Core.Credentials;

/// <summary>A credential Mandate issued, as the store keeps it (never the token itself).</summary>
internal sealed record CredentialRecord
{
    public required string Jti { get; init; }

    public required string Kind { get; init; }

    public required string Subject { get; init; }

    /// <summary>Who uses it: the current actor for an exchanged token, the subject otherwise.</summary>
    public required string Holder { get; init; }

    public string? TaskId { get; init; }

    /// <summary>The credential it was exchanged from (null for a task credential).</summary>
    public string? ParentJti { get; init; }

    /// <summary>Actors, outermost first.</summary>
    public IReadOnlyList<string> Chain { get; init; } = [];

    public IReadOnlyList<string> Scopes { get; init; } = [];

    public IReadOnlyList<string> Audiences { get; init; } = [];

    public required DateTimeOffset IssuedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    public ProofOfPossession? ProofOfPossession { get; init; }

    public DateTimeOffset? RevokedAt { get; init; }

    public string? RevokedReason { get; init; }

    public string? RevokedBy { get; init; }

    public CredentialUsage Usage { get; init; } = CredentialUsage.Unused;
}
