using System.Diagnostics;
using Mandate.Cedar;
using Mandate.Core.Audit;
using Mandate.Core.Exceptions;
using Mandate.Core.Policies;
using Mandate.Core.Telemetry;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Decisions;

/// <summary>
/// Evaluates a request against the snapshot active when the call starts (one volatile read, no parsing), overlays the
/// request's entities on the stored ones, and queues the audit record: every deny, and allows as sampled.
/// </summary>
internal sealed class PolicyDecisionPoint(
    ActivePolicySet active,
    DecisionAuditQueue auditQueue,
    AuditRepetitions repetitions,
    IOptions<DecisionOptions> options,
    MandateMetrics? metrics = null,
    ActiveGrants? grants = null) : IPolicyDecisionPoint
{
    private readonly DecisionOptions settings = options.Value;

    public string PolicyVersion => active.Current.Version;

    public ValueTask<PolicyDecision> DecideAsync(DecisionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var start = Stopwatch.GetTimestamp();
        var snapshot = active.Current;
        var decision = Decide(snapshot, request);
        var recorded = RecordAsync(decision, request, cancellationToken);
        metrics?.Decided(MandateMetrics.DecisionOutcomes.Of(decision.Allowed, decision.Errors.Count > 0), start);
        return recorded.IsCompletedSuccessfully ? ValueTask.FromResult(decision) : AwaitAsync(recorded, decision);
    }

    /// <summary>The pure part: no audit, no I/O (search evaluates many candidates and audits once).</summary>
    internal PolicyDecision Decide(PolicySnapshot snapshot, DecisionRequest request)
    {
        var entities = request.ExtraEntities is { Count: > 0 } extra ? snapshot.Entities.WithOverlay(extra) : snapshot.Entities;
        var cedarRequest = new Request(request.Principal, request.Action, request.Resource, request.Context);
        var response = Authorizer.IsAuthorized(cedarRequest, snapshot.Policies, entities);
        var allowed = response.Decision == Cedar.Decision.Allow && (response.Errors.Count == 0 || !settings.DenyOnPolicyError);
        var reasons = DisplayReasons(snapshot, response.Reasons);

        // Exception and break-glass grants are permits evaluated with the policy set: a forbid that holds (a deny with
        // determining policies) still wins, and so does a policy error when errors deny. A grant that holds is named
        // among the reasons and marks the decision (exception_id in the ledger).
        ActiveGrants.Entry? grant = null;
        if (grants is { IsEmpty: false }
            && (response.Decision == Cedar.Decision.Allow || response.Reasons.Count == 0)
            && (response.Errors.Count == 0 || !settings.DenyOnPolicyError))
        {
            grant = grants.Match(cedarRequest, entities);
            if (grant is not null)
            {
                allowed = true;
                reasons = [.. reasons, grant.Id];
            }
        }

        return new PolicyDecision(
            allowed,
            DecisionIds.Next(),
            snapshot.Version,
            reasons,
            DisplayErrors(snapshot, response.Errors),
            grant?.Id,
            grant?.Kind);
    }

    /// <summary>
    /// Queues the decision's record: every deny (identical ones folded per window), allows as sampled. Completes when the
    /// decision may be answered: at once, or once its record is committed or queued (<see cref="AuditDurability"/>).
    /// </summary>
    internal ValueTask RecordAsync(PolicyDecision decision, DecisionRequest request, CancellationToken cancellationToken, string? denyReason = null)
    {
        if (!decision.Allowed)
        {
            // Identical denies for the same client fold into one counted record per window (a flood is not a ledger).
            var record = ToAuditEvent(decision, request, denyReason);
            var pending = repetitions.RecordAsync(RepeatKey(record, request), record, cancellationToken);
            return pending.IsCompletedSuccessfully ? ValueTask.CompletedTask : AwaitAsync(pending);
        }

        // An allow an exception or break-glass grant gave is always recorded, whatever the sampling: every use of a
        // grant is in the ledger (and raises exception_use).
        var rate = settings.AuditAllowSampleRate;
        if (rate < 1.0 && decision.ExceptionId is null && (rate <= 0 || Random.Shared.NextDouble() >= rate))
        {
            // Sampled out by the operator's setting: counted, and the count is written to the chain.
            auditQueue.SampledOut();
            return ValueTask.CompletedTask;
        }

        // An allow is answered only once its record is committed (AuditDurability.Committed, the default) or queued
        // (Queued), or, if the operator chose so, counted as dropped.
        return auditQueue.EnqueueAllowAsync(ToAuditEvent(decision, request, denyReason), cancellationToken);
    }

    // A deny's record waits only when the queue is full (the folded repeats are counted without waiting).
    private static async ValueTask AwaitAsync(ValueTask<bool> pending) => await pending.ConfigureAwait(false);

    // Pooled: with AuditDurability.Committed every audited allow decided through DecideAsync waits here for its batch's
    // commit.
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<PolicyDecision> AwaitAsync(ValueTask pending, PolicyDecision decision)
    {
        await pending.ConfigureAwait(false);
        return decision;
    }

    // Two denies that differ only in their context are not repetitions of one another: the context is in the key.
    private static string RepeatKey(AuditEvent record, DecisionRequest request) =>
        string.Join('\n', "decision", request.Client, record.Actor, record.Subject, record.Action, record.Resource, record.Reason, record.CredentialId, record.PolicyVersion,
            record.Details?.TryGetValue(DecisionAuditDetails.ContextKey, out var context) == true ? context : null);

    private static AuditEvent ToAuditEvent(PolicyDecision decision, DecisionRequest request, string? denyReason = null)
    {
        var reason = denyReason;
        if (reason is null && decision.Errors.Count > 0)
        {
            reason = "policy error: " + string.Join("; ", decision.Errors.Select(e => e.PolicyId + ": " + e.Message));
        }
        else if (reason is null && decision.Reasons.Count > 0)
        {
            reason = string.Join(",", decision.Reasons);
        }
        else if (reason is null && !decision.Allowed)
        {
            reason = "no policy permits";
        }

        return new AuditEvent
        {
            Type = "decision",
            Actor = request.Caller,
            Subject = AuditNames.Of(request.Principal),
            Action = AuditNames.Of(request.Action),
            Resource = AuditNames.Of(request.Resource),
            Decision = decision.Allowed ? "allow" : "deny",
            PolicyVersion = decision.PolicyVersion,
            CredentialId = request.CredentialId,
            TaskId = request.TaskId,
            Chain = request.Chain,
            Reason = reason,
            RequestId = request.RequestId,
            Details = Details(decision, request),
        };
    }

    /// <summary>
    /// The decision id, the properties the request could not override, and the client network that asked (so that
    /// detection can tell one credential used from two places apart).
    /// </summary>
    private static DecisionAuditDetails Details(PolicyDecision decision, DecisionRequest request)
    {
        string? context = null;
        string? omitted = null;
        if (request.RecordedContext is { Count: > 0 } recorded)
        {
            context = DecisionContextRecord.ToJson(recorded, out var omittedBytes);
            omitted = context is null ? omittedBytes.ToString(System.Globalization.CultureInfo.InvariantCulture) + " bytes" : null;
        }

        return new(
            decision.DecisionId,
            request.IgnoredProperties is { Count: > 0 } ignored ? string.Join(",", ignored) : null,
            request.Client is { Length: > 0 } client ? client : null,
            decision.Allowed ? decision.ExceptionId : null,
            decision.Allowed ? decision.ExceptionKind : null,
            context,
            omitted);
    }

    private static IReadOnlyList<string> DisplayReasons(PolicySnapshot snapshot, IReadOnlyList<string> reasons)
    {
        if (reasons.Count == 0 || snapshot.DisplayIds.Count == 0)
        {
            return reasons;
        }

        var display = new string[reasons.Count];
        for (var i = 0; i < reasons.Count; i++)
        {
            display[i] = snapshot.DisplayId(reasons[i]);
        }

        return display;
    }

    private static IReadOnlyList<AuthorizationError> DisplayErrors(PolicySnapshot snapshot, IReadOnlyList<AuthorizationError> errors)
    {
        if (errors.Count == 0 || snapshot.DisplayIds.Count == 0)
        {
            return errors;
        }

        return errors.Select(e => e with { PolicyId = snapshot.DisplayId(e.PolicyId) }).ToArray();
    }
}
