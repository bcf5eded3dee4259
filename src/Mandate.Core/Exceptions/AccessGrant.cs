namespace Mandate.Core.Exceptions;

/// <summary>
/// An exception or break-glass grant: a time-bound permit for one identity to do one action on one resource. An
/// exception is requested by one operator and approved by another; a break-glass grant is activated by the operator
/// who needs it. <see cref="ExpiresAt"/> is when a pending request lapses, or when an active grant ends.
/// </summary>
internal sealed record AccessGrant
{
    /// <summary><c>exc_</c> and 20 hex digits (exceptions) or <c>brk_</c> and 20 hex digits (break-glass).</summary>
    public required string Id { get; init; }

    /// <summary><see cref="GrantKinds.Exception"/> or <see cref="GrantKinds.BreakGlass"/>.</summary>
    public required string Kind { get; init; }

    /// <summary>The identity's id (a SPIFFE ID).</summary>
    public required string Identity { get; init; }

    /// <summary>The identity's kind as registered (<c>agent</c>, <c>service_account</c>, …), shown so a vendor's grant reads as one.</summary>
    public required string IdentityKind { get; init; }

    public required string IdentityOwner { get; init; }

    /// <summary>The Cedar principal, <c>Workload::"spiffe://…"</c>.</summary>
    public required string Principal { get; init; }

    /// <summary>The Cedar action, <c>Action::"read"</c>.</summary>
    public required string Action { get; init; }

    /// <summary>The Cedar resource, <c>Invoice::"INV-1"</c>.</summary>
    public required string Resource { get; init; }

    /// <summary>How long the grant is active once approved (break-glass: once activated).</summary>
    public required TimeSpan Ttl { get; init; }

    public required string Reason { get; init; }

    public required string Status { get; init; }

    /// <summary>The ledger actor who asked (<c>operator:alice</c>).</summary>
    public required string RequestedBy { get; init; }

    public required DateTimeOffset RequestedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>Who approved or denied the request (the requester for break-glass).</summary>
    public string? DecidedBy { get; init; }

    public DateTimeOffset? DecidedAt { get; init; }

    /// <summary>Who ended the grant (revoked, or <c>system</c> when it expired).</summary>
    public string? EndedBy { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    public string? EndReason { get; init; }

    /// <summary>The grant's Cedar policy while it is (or was) active: <c>@exception("id") @expires("…") permit (…);</c>.</summary>
    public string? Policy { get; init; }
}
