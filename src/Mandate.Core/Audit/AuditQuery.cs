namespace Mandate.Core.Audit;

/// <summary>Filters for audit queries; every filter given must match. Results are in sequence order.</summary>
internal sealed record AuditQuery
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    /// <summary>An identity that is the actor, the subject, or a member of the delegation chain.</summary>
    public string? Identity { get; init; }

    public string? TaskId { get; init; }

    /// <summary>A credential's <c>jti</c>.</summary>
    public string? CredentialId { get; init; }

    /// <summary><c>allow</c> or <c>deny</c>.</summary>
    public string? Decision { get; init; }

    /// <summary>An exact event type, or a prefix ending in '.' (e.g. <c>credential.</c>).</summary>
    public string? Type { get; init; }

    public DateTimeOffset? Since { get; init; }

    public DateTimeOffset? Until { get; init; }

    /// <summary>Only events after this sequence number (for paging).</summary>
    public long AfterSequence { get; init; }

    public int Limit { get; init; } = DefaultLimit;
}
