using Mandate.Core.Identity.Inventory;

namespace Mandate.Server.Identity;

/// <summary><c>POST /v1/identities</c> body. <c>expires_at</c> (RFC 3339) or <c>ttl_seconds</c> is required.</summary>
internal sealed record IdentityRegistrationRequest(
    string? SpiffeId,
    string? Kind,
    string? Owner,
    string? Purpose,
    string? Environment,
    DateTimeOffset? ExpiresAt,
    long? TtlSeconds,
    Dictionary<string, string>? Labels);

/// <summary>Body of the status actions (<c>suspend</c>, <c>revoke</c>, <c>reactivate</c>, <c>offboard</c>).</summary>
internal sealed record IdentityStatusRequest(string? SpiffeId, string? Reason);

/// <summary><c>POST /v1/attest/join-tokens</c> body.</summary>
internal sealed record JoinTokenRequest(string? SpiffeId, long? TtlSeconds);

internal sealed record IdentityResponse(
    string SpiffeId,
    string Kind,
    string Owner,
    string Purpose,
    string Environment,
    string Status,
    bool Expired,
    string? StatusReason,
    IReadOnlyDictionary<string, string> Labels,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>
    /// <c>status</c> is computed at <paramref name="now"/>: <c>expired</c> for an active identity past its expiry
    /// (<see cref="IdentityStatuses.EffectiveName"/>); <c>expired</c> is also true for one suspended past its expiry.
    /// </summary>
    public static IdentityResponse From(WorkloadIdentity identity, DateTimeOffset now) => new(
        identity.SpiffeId,
        NhiKinds.Name(identity.Kind),
        identity.Owner,
        identity.Purpose,
        identity.Environment,
        IdentityStatuses.EffectiveName(identity, now),
        now >= identity.ExpiresAt,
        identity.StatusReason,
        identity.Labels,
        identity.CreatedAt,
        identity.ExpiresAt,
        identity.UpdatedAt);
}
