using Mandate.Core.Credentials;
using Mandate.Core.Tasks;

namespace Mandate.Server.Tasks;

/// <summary>Body of <c>POST /v1/tasks</c>.</summary>
internal sealed record OpenTaskBody(TaskIntentBody? Intent, long? TtlSeconds);

internal sealed record TaskIntentBody(
    string? Description,
    List<string>? Actions,
    List<string>? Resources,
    string? SensitivityCeiling,
    List<string>? Destinations,
    List<string>? Delegates);

/// <summary>Body of <c>POST /v1/tasks/{id}/renew</c> (optional).</summary>
internal sealed record RenewTaskBody(long? TtlSeconds);

/// <summary>Body of <c>POST /v1/revocations</c>.</summary>
internal sealed record RevocationBody(string? TargetKind, string? Target, string? Reason);

internal sealed record TaskIntentView(
    string Description,
    IReadOnlyList<string> Actions,
    IReadOnlyList<string> Resources,
    string SensitivityCeiling,
    IReadOnlyList<string> Destinations,
    IReadOnlyList<string> Delegates)
{
    public static TaskIntentView From(TaskIntent intent) => new(
        intent.Description,
        intent.Actions,
        intent.Resources,
        intent.SensitivityCeiling.ToName(),
        intent.Destinations,
        intent.Delegates);
}

internal sealed record TaskView(
    string Id,
    string Subject,
    string Status,
    TaskIntentView Intent,
    DateTimeOffset OpenedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset LeaseLimit,
    int Renewals,
    DateTimeOffset? ClosedAt,
    string? CloseReason,
    string? DecisionId,
    string? PolicyVersion,
    IReadOnlyList<CredentialView>? Credentials = null)
{
    public static TaskView From(MandateTask task, IReadOnlyList<CredentialRecord>? credentials = null) => new(
        task.Id,
        task.Subject,
        task.Status,
        TaskIntentView.From(task.Intent),
        task.OpenedAt,
        task.ExpiresAt,
        task.LeaseLimit,
        task.Renewals,
        task.ClosedAt,
        task.CloseReason,
        task.DecisionId,
        task.PolicyVersion,
        credentials?.Select(CredentialView.From).ToList());
}

internal sealed record CredentialUsageView(long Count, DateTimeOffset? FirstUsedAt, DateTimeOffset? LastUsedAt, string? LastSource);

internal sealed record CredentialView(
    string Jti,
    string Kind,
    string Subject,
    string Holder,
    IReadOnlyList<string> Chain,
    string Scope,
    IReadOnlyList<string> Audiences,
    string? ParentJti,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt,
    string? BoundWith,
    DateTimeOffset? RevokedAt,
    string? RevokedReason,
    CredentialUsageView Usage)
{
    public static CredentialView From(CredentialRecord record) => new(
        record.Jti,
        record.Kind,
        record.Subject,
        record.Holder,
        record.Chain,
        string.Join(' ', record.Scopes),
        record.Audiences,
        record.ParentJti,
        record.IssuedAt,
        record.ExpiresAt,
        record.ProofOfPossession?.Method,
        record.RevokedAt,
        record.RevokedReason,
        new CredentialUsageView(record.Usage.Count, record.Usage.FirstUsedAt, record.Usage.LastUsedAt, record.Usage.LastSource));
}

/// <summary>The credential handed out when a task opens or its lease is renewed (the only time the token is shown).</summary>
internal sealed record IssuedCredentialView(string AccessToken, string TokenType, long ExpiresIn, string Jti, string Scope, DateTimeOffset ExpiresAt);
