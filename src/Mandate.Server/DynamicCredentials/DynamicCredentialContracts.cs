using Mandate.Core.DynamicCredentials;

namespace Mandate.Server.DynamicCredentials;

/// <summary>Body of <c>POST /v1/tasks/{id}/dynamic-credentials</c>.</summary>
internal sealed record DynamicCredentialBody(string? Engine);

/// <summary>The credential, shown once: the only place the password ever is.</summary>
internal sealed record IssuedDynamicCredentialView(string LeaseId, string TaskId, string Engine, string Username, string Password, DateTimeOffset ExpiresAt);

/// <summary>A lease as operators list it (no secret: Mandate keeps none).</summary>
internal sealed record DynamicCredentialLeaseView(
    string Id,
    string TaskId,
    string Subject,
    string Engine,
    string Username,
    string Status,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? RevokeRequestedAt,
    string? RevokeReason,
    DateTimeOffset? RevokedAt,
    int Attempts,
    DateTimeOffset? NextAttemptAt,
    string? LastError)
{
    public static DynamicCredentialLeaseView From(DynamicCredentialLease lease) => new(
        lease.Id,
        lease.TaskId,
        lease.Subject,
        lease.Engine,
        lease.Username,
        lease.Status,
        lease.IssuedAt,
        lease.ExpiresAt,
        lease.RevokeRequestedAt,
        lease.RevokeReason,
        lease.RevokedAt,
        lease.Attempts,
        // Revoking: the next removal attempt; active: a renewal's extension not yet applied downstream.
        lease.Status is DynamicCredentialLeaseStatus.Revoking or DynamicCredentialLeaseStatus.Active ? lease.NextAttemptAt : null,
        lease.LastError);
}
