using System.Text.Json.Serialization;
using Mandate.Core.Governance.Reviews;

namespace Mandate.Server.Governance.Reviews;

/// <summary><c>POST /v1/reviews</c>: <c>owner</c> or <c>all</c>, the reviewer's operator name, and the due time.</summary>
internal sealed record ReviewStartRequest(string? Owner, bool? All, string? Reviewer, DateTimeOffset? Due);

/// <summary><c>POST /v1/reviews/{id}/items/{n}/decision</c>: <c>certify</c> or <c>revoke</c>, with a reason.</summary>
internal sealed record ReviewDecisionRequest(string? Decision, string? Reason);

/// <summary><c>POST /v1/reviews/{id}/items/{n}/lift</c>: why the revoked entitlement is given back.</summary>
internal sealed record ReviewLiftRequest(string? Reason);

internal sealed record ReviewView(
    string Id,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Owner,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Reviewer,
    string StartedBy,
    DateTimeOffset StartedAt,
    DateTimeOffset Due,
    string Status,
    bool Overdue,
    string Origin,
    int Items,
    int Decided,
    DateTimeOffset? CompletedAt)
{
    public static ReviewView From(ReviewCampaign c, DateTimeOffset now) => new(
        c.Id, c.Owner, c.Reviewer is null ? null : Mandate.Core.Operators.OperatorActors.Of(c.Reviewer), c.StartedBy, c.StartedAt, c.Due,
        c.IsOverdue(now) ? ReviewStatuses.Overdue : c.Status, c.IsOverdue(now), c.Origin, c.Items, c.Decided, c.CompletedAt);
}

internal sealed record ReviewItemView(
    int Item,
    string Kind,
    string Identity,
    string Source,
    string? Owner,
    string? Action,
    string? ResourceType,
    IReadOnlyList<string>? Policies,
    string? Finding,
    string Summary,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Decision,
    string? DecidedBy,
    DateTimeOffset? DecidedAt,
    string? Reason,
    string? Enforcement,
    string? EnforcementDetail,
    string? PolicyVersion,
    long? LedgerSeq,
    ReviewLiftView? Lifted)
{
    public static ReviewItemView From(ReviewItem i) => new(
        i.Number, i.Kind, i.Identity, i.Source, i.Owner, i.Action, i.ResourceType, i.Policies.Count == 0 ? null : i.Policies, i.Finding, i.Summary,
        i.Decision, i.DecidedBy, i.DecidedAt, i.Reason, i.Enforcement, i.EnforcementDetail, i.PolicyVersion, i.LedgerSequence, ReviewLiftView.From(i));
}

/// <summary>A revoked entitlement given back: by whom, when, why, in which policy version, at which ledger sequence.</summary>
internal sealed record ReviewLiftView(string By, DateTimeOffset At, string? Reason, string? PolicyVersion, long? LedgerSeq)
{
    public static ReviewLiftView? From(ReviewItem i) =>
        i.LiftedAt is { } at ? new(i.LiftedBy!, at, i.LiftReason, i.LiftPolicyVersion, i.LiftLedgerSequence) : null;
}

internal sealed record ReviewListView(IReadOnlyList<ReviewView> Reviews);

internal sealed record ReviewDetailView(ReviewView Review, IReadOnlyList<ReviewItemView> Items);

internal sealed record ReviewCompletionView(int Items, int Decided, int Certified, int Revoked, int Pending, double Percent);

internal sealed record ReviewDecisionView(int Item, string Kind, string Identity, string Summary, string Decision, string By, DateTimeOffset At, string? Reason, string? Enforcement, string? EnforcementDetail, string? PolicyVersion, long? LedgerSeq, ReviewLiftView? Lifted);

internal sealed record ReviewReportView(ReviewView Review, ReviewCompletionView Completion, IReadOnlyList<ReviewDecisionView> Decisions, IReadOnlyList<ReviewItemView> Pending);
