namespace Mandate.Core.Audit;

/// <summary>
/// Something that happened and must be provable later: an issuance, a use, a decision, a revocation, a review.
/// Tokens never appear here, only their <c>jti</c> or a hash.
/// </summary>
internal sealed record AuditEvent
{
    /// <summary>Dotted event type, e.g. <c>identity.registered</c>, <c>decision</c>, <c>credential.revoked</c>.</summary>
    public required string Type { get; init; }

    /// <summary>Who did it: a SPIFFE ID, <c>admin</c>, or <c>system</c>.</summary>
    public string? Actor { get; init; }

    /// <summary>Whom or what it concerns (usually a SPIFFE ID).</summary>
    public string? Subject { get; init; }

    /// <summary>The delegation chain, outermost actor first, when the event happened through one.</summary>
    public IReadOnlyList<string>? Chain { get; init; }

    public string? Action { get; init; }

    public string? Resource { get; init; }

    /// <summary><c>allow</c>, <c>deny</c>, or null when the event is not a decision.</summary>
    public string? Decision { get; init; }

    public string? PolicyVersion { get; init; }

    /// <summary>The credential's <c>jti</c>, never the credential.</summary>
    public string? CredentialId { get; init; }

    public string? TaskId { get; init; }

    public string? Reason { get; init; }

    public string? RequestId { get; init; }

    /// <summary>Further facts as strings; keys sorted when hashed.</summary>
    public IReadOnlyDictionary<string, string>? Details { get; init; }
}
