namespace Mandate.Core.DynamicCredentials;

/// <summary>
/// A credential minted in a downstream system for a task: what Mandate keeps to remove it again (never the password,
/// which only the caller ever sees).
/// </summary>
internal sealed record DynamicCredentialLease
{
    public required string Id { get; init; }

    public required string TaskId { get; init; }

    /// <summary>The SPIFFE ID the credential was issued to (the task's holder).</summary>
    public required string Subject { get; init; }

    /// <summary>The configured engine name.</summary>
    public required string Engine { get; init; }

    /// <summary>The downstream user name (the engine's handle for the credential).</summary>
    public required string Username { get; init; }

    /// <summary>See <see cref="DynamicCredentialLeaseStatus"/>.</summary>
    public required string Status { get; init; }

    public required DateTimeOffset IssuedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    public DateTimeOffset? RevokeRequestedAt { get; init; }

    public string? RevokeReason { get; init; }

    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>Failed removal attempts so far (drives the backoff).</summary>
    public int Attempts { get; init; }

    /// <summary>When a pending removal is due (next attempt), or when a claimed one may be retried by another node.</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }

    /// <summary>Why the last removal attempt failed (the error's kind and message; never a connection string).</summary>
    public string? LastError { get; init; }
}
