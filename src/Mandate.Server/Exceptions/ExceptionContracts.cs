using System.Text.Json.Serialization;
using Mandate.Core.Exceptions;

namespace Mandate.Server.Exceptions;

/// <summary><c>POST /v1/exceptions</c> and <c>POST /v1/breakglass</c>: who, what, on what, for how long and why.</summary>
internal sealed record GrantRequestBody(string? Identity, string? Action, string? Resource, long? TtlSeconds, string? Reason);

/// <summary><c>POST /v1/exceptions/{id}/deny</c> and <c>/revoke</c>: why.</summary>
internal sealed record GrantReasonBody(string? Reason);

/// <summary>One grant as the API shows it: the identity's kind and owner are shown so a vendor's grant reads as one.</summary>
internal sealed record GrantView(
    string Id,
    string Kind,
    string Status,
    string Identity,
    string IdentityKind,
    string IdentityOwner,
    string Principal,
    string Action,
    string Resource,
    long TtlSeconds,
    string Reason,
    string RequestedBy,
    DateTimeOffset RequestedAt,
    DateTimeOffset ExpiresAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? DecidedBy,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateTimeOffset? DecidedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? EndedBy,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateTimeOffset? EndedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? EndReason,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Policy)
{
    public static GrantView From(AccessGrant g) => new(
        g.Id, g.Kind, g.Status, g.Identity, g.IdentityKind, g.IdentityOwner, g.Principal, g.Action, g.Resource, (long)g.Ttl.TotalSeconds, g.Reason,
        g.RequestedBy, g.RequestedAt, g.ExpiresAt, g.DecidedBy, g.DecidedAt, g.EndedBy, g.EndedAt, g.EndReason, g.Policy);
}

internal sealed record GrantListView(IReadOnlyList<GrantView> Exceptions);
