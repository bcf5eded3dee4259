using System.Diagnostics;
using System.Text.Json;
using Mandate.Cedar;
using Mandate.Core.Audit;
using Mandate.Core.Policies;
using Mandate.Core.Telemetry;
using Mandate.Protocol.AuthZen;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Decisions;

/// <summary>
/// The AuthZEN 1.0 semantics over the decision point: single and batch evaluation (defaults replaced whole per item,
/// the three evaluation semantics), and subject, resource and action search (candidates from the entity store, each
/// evaluated, paged). Validation failures throw <see cref="AuthZenRequestException"/> for the whole request, or become
/// in-place denies for batch items.
/// </summary>
internal sealed class AuthZenDecisionService
{
    private readonly ActivePolicySet active;
    private readonly PolicyDecisionPoint decisionPoint;
    private readonly AuthZenRequestMapper mapper;
    private readonly DecisionAuditQueue auditQueue;
    private readonly DecisionOptions settings;
    private readonly CredentialEpoch epoch;
    private readonly MandateMetrics? metrics;

    internal AuthZenDecisionService(
        ActivePolicySet active,
        PolicyDecisionPoint decisionPoint,
        AuthZenRequestMapper mapper,
        DecisionAuditQueue auditQueue,
        CredentialEpoch epoch,
        IOptions<DecisionOptions> options,
        MandateMetrics? metrics = null)
    {
        this.metrics = metrics;
        this.epoch = epoch;
        this.active = active;
        this.decisionPoint = decisionPoint;
        this.mapper = mapper;
        this.auditQueue = auditQueue;
        settings = options.Value;
    }

    public string PolicyVersion => active.Current.Version;

    /// <summary>The credential-state epoch to send with an answer; read it before deciding (<see cref="CredentialEpoch"/>).</summary>
    public string CredentialEpoch => epoch.Current;

    public DecisionOptions Options => settings;

    /// <summary>One evaluation; throws <see cref="AuthZenRequestException"/> when the request is not valid.</summary>
    /// <remarks>
    /// Not an async method: an audited allow waits for its record's commit, and each async frame between the caller and
    /// that wait would be an object per decision. The decision is made synchronously and at most one frame waits.
    /// </remarks>
    public ValueTask<AuthZenDecision> EvaluateAsync(EvaluationRequest request, AuthZenCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(call);
        var start = Stopwatch.GetTimestamp();
        try
        {
            AuthZenLimits.Check(settings, request.Subject, request.Action, request.Resource, request.Context);
            var snapshot = active.Current;
            var mapping = mapper.MapAsync(snapshot, request.Subject, request.Action, request.Resource, request.Context, call, cancellationToken);
            if (!mapping.IsCompletedSuccessfully)
            {
                return EvaluateWhenMappedAsync(snapshot, mapping, start, cancellationToken);
            }

            var decision = Decide(snapshot, mapping.Result, cancellationToken, out var recorded);
            if (!recorded.IsCompletedSuccessfully)
            {
                return AnswerWhenRecordedAsync(recorded, decision, start);
            }

            recorded.GetAwaiter().GetResult();
            metrics?.Decided(Outcome(decision), start);
            return ValueTask.FromResult(decision);
        }
        catch (AuthZenRequestException)
        {
            metrics?.Decided(MandateMetrics.DecisionOutcomes.Error, start);
            throw;
        }
    }

    /// <summary>
    /// "What if": one request decided against the active policies as an evaluation is (the inventory's standing, the
    /// entities, the policies) but neither audited nor counted as a decision, because nothing was attempted: a person
    /// asks what the policies say. It carries no credential and no member the decision point derives from one.
    /// </summary>
    /// <exception cref="AuthZenRequestException">The request is not valid, or its context names a reserved member.</exception>
    public async ValueTask<AuthZenDecision> WhatIfAsync(EvaluationRequest request, AuthZenCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(call);
        AuthZenLimits.Check(settings, request.Subject, request.Action, request.Resource, request.Context);
        if (request.Context is { ValueKind: JsonValueKind.Object } context
            && context.EnumerateObject().FirstOrDefault(p => AuthZenRequestMapper.ReservedContextMembers.Contains(p.Name)) is { Name: { } reserved })
        {
            throw new AuthZenRequestException($"context.{reserved}: a what-if request carries no credential and none of the members derived from one.");
        }

        var snapshot = active.Current;
        var mapped = await mapper.MapAsync(snapshot, request.Subject, request.Action, request.Resource, request.Context, call, cancellationToken).ConfigureAwait(false);
        if (mapped.Denied is { } early)
        {
            return early with { PolicyVersion = snapshot.Version, IgnoredProperties = mapped.Request.IgnoredProperties };
        }

        return AuthZenDecision.From(decisionPoint.Decide(snapshot, mapped.Request), mapped.Request.IgnoredProperties);
    }

    /// <summary>
    /// A batch with at least one item. Items inherit the top-level members they leave out; an item that cannot be
    /// evaluated is a deny carrying its error. The result is shorter than the request when a semantic short-circuits.
    /// </summary>
    public async Task<IReadOnlyList<AuthZenDecision>> EvaluateBatchAsync(EvaluationsRequest request, AuthZenCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(call);
        var items = request.Evaluations ?? [];
        if (items.Count > settings.MaxBatchItems)
        {
            metrics?.Decided(MandateMetrics.DecisionOutcomes.Error, Stopwatch.GetTimestamp());
            throw new AuthZenRequestException(
                AuthZenErrorCodes.BatchTooLarge,
                $"The batch has {items.Count} evaluations; at most {settings.MaxBatchItems} are allowed.");
        }

        var semantic = request.Options?.EvaluationsSemantic ?? EvaluationsSemantic.ExecuteAll;
        if (semantic is not (EvaluationsSemantic.ExecuteAll or EvaluationsSemantic.DenyOnFirstDeny or EvaluationsSemantic.PermitOnFirstPermit))
        {
            metrics?.Decided(MandateMetrics.DecisionOutcomes.Error, Stopwatch.GetTimestamp());
            throw new AuthZenRequestException(
                AuthZenErrorCodes.UnknownSemantic,
                $"options.evaluations_semantic '{semantic}' is not one of execute_all, deny_on_first_deny, permit_on_first_permit.");
        }

        // One snapshot for the whole batch: every item is decided under the same policy version.
        var snapshot = active.Current;
        var results = new List<AuthZenDecision>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i] ?? new EvaluationRequest();
            var start = Stopwatch.GetTimestamp();
            AuthZenDecision result;
            try
            {
                AuthZenLimits.Check(
                    settings, item.Subject ?? request.Subject, item.Action ?? request.Action, item.Resource ?? request.Resource, item.Context ?? request.Context, $"evaluations[{i}].");
                var mapped = await mapper.MapAsync(
                    snapshot,
                    item.Subject ?? request.Subject,
                    item.Action ?? request.Action,
                    item.Resource ?? request.Resource,
                    item.Context ?? request.Context,
                    call,
                    cancellationToken,
                    $"evaluations[{i}].").ConfigureAwait(false);
                result = await DecideAsync(snapshot, mapped, cancellationToken).ConfigureAwait(false);
            }
            catch (AuthZenRequestException e)
            {
                result = AuthZenDecision.Failed(new AuthZenItemError(400, e.Code, e.Message));
            }

            metrics?.Decided(Outcome(result), start);
            results.Add(result);
            if ((semantic == EvaluationsSemantic.DenyOnFirstDeny && !result.Allowed)
                || (semantic == EvaluationsSemantic.PermitOnFirstPermit && result.Allowed))
            {
                break;
            }
        }

        return results;
    }

    /// <summary>
    /// What a presented credential's holder could do now, for an enforcement point that shows its caller only what it
    /// may use (an MCP gateway filtering <c>tools/list</c>): the credential in <c>context.credential</c> (and its proof)
    /// is verified once for the subject, then each item is decided like an evaluation (task scope, policies, risk) but
    /// not audited, because nothing was attempted. With no items it is the credential check alone. A credential that
    /// does not verify answers no item.
    /// </summary>
    /// <exception cref="AuthZenRequestException">The request has no credential, too many items, or a malformed member.</exception>
    public async Task<PermittedResult> PermittedAsync(EvaluationsRequest request, AuthZenCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(call);
        var items = request.Evaluations ?? [];
        if (items.Count > MaxPermittedItems)
        {
            throw new AuthZenRequestException(
                AuthZenErrorCodes.BatchTooLarge,
                $"The request has {items.Count} items; at most {MaxPermittedItems} are allowed.");
        }

        AuthZenLimits.Check(settings, request.Subject, request.Action, request.Resource, request.Context);
        var snapshot = active.Current;
        var credential = await mapper.CheckCredentialAsync(snapshot, request.Subject, request.Context, call, cancellationToken).ConfigureAwait(false);
        if (!credential.Valid)
        {
            return new PermittedResult(credential, []);
        }

        var permitted = new bool[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i] ?? new EvaluationRequest();
            try
            {
                var context = item.Context ?? request.Context;
                AuthZenLimits.Check(settings, item.Subject ?? request.Subject, item.Action ?? request.Action, item.Resource ?? request.Resource, context, $"evaluations[{i}].");
                var mapped = await mapper.MapAsync(
                    snapshot, item.Subject ?? request.Subject, item.Action ?? request.Action, item.Resource ?? request.Resource, context, call, cancellationToken, $"evaluations[{i}].").ConfigureAwait(false);
                permitted[i] = mapped.Denied is null && decisionPoint.Decide(snapshot, mapped.Request).Allowed;
            }
            catch (AuthZenRequestException)
            {
                // An item that cannot be evaluated is not something the holder can do.
                permitted[i] = false;
            }
        }

        return new PermittedResult(credential, permitted);
    }

    /// <summary>The most items one <see cref="PermittedAsync"/> answers: a generous tool list, bounded.</summary>
    public const int MaxPermittedItems = 1000;

    /// <summary>Which subjects of <c>subject.type</c> may do the action on the resource.</summary>
    public Task<AuthZenSearchResult<AuthZenEntity>> SearchSubjectsAsync(SearchRequest request, AuthZenCall call, CancellationToken cancellationToken) =>
        SearchEntitiesAsync(request, call, searchingSubjects: true, cancellationToken);

    /// <summary>Which resources of <c>resource.type</c> the subject may do the action on.</summary>
    public Task<AuthZenSearchResult<AuthZenEntity>> SearchResourcesAsync(SearchRequest request, AuthZenCall call, CancellationToken cancellationToken) =>
        SearchEntitiesAsync(request, call, searchingSubjects: false, cancellationToken);

    /// <summary>
    /// Subject or resource search: the searched side names only a type, the other side and the action are given; each
    /// entity of that type is tried in its place.
    /// </summary>
    private Task<AuthZenSearchResult<AuthZenEntity>> SearchEntitiesAsync(SearchRequest request, AuthZenCall call, bool searchingSubjects, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireSide(request.Subject, "subject", typeOnly: searchingSubjects);
        RequireName(request.Action, "action");
        RequireSide(request.Resource, "resource", typeOnly: !searchingSubjects);
        var member = searchingSubjects ? "subject" : "resource";
        var type = (searchingSubjects ? request.Subject : request.Resource)!.Type!;
        var snapshot = active.Current;
        var candidates = mapper.IsKnownType(snapshot, type) ? snapshot.EntitiesOfType(type) : [];
        return SearchAsync(
            snapshot,
            request,
            call,
            member,
            candidates,
            uid => searchingSubjects
                ? new SearchProbe(new AuthZenEntity(uid.Type, uid.Id), request.Action, request.Resource)
                : new SearchProbe(request.Subject, request.Action, new AuthZenEntity(uid.Type, uid.Id)),
            uid => new AuthZenEntity(uid.Type, uid.Id),
            cancellationToken);

        static void RequireSide(AuthZenEntity? entity, string member, bool typeOnly)
        {
            if (typeOnly)
            {
                RequireType(entity, member);
            }
            else
            {
                RequireEntity(entity, member);
            }
        }
    }

    /// <summary>Which actions the subject may do on the resource.</summary>
    public Task<AuthZenSearchResult<AuthZenAction>> SearchActionsAsync(SearchRequest request, AuthZenCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireEntity(request.Subject, "subject");
        RequireEntity(request.Resource, "resource");
        var snapshot = active.Current;
        return SearchAsync(
            snapshot,
            request,
            call,
            "action",
            snapshot.Actions,
            uid => new SearchProbe(request.Subject, new AuthZenAction(uid.Id), request.Resource),
            uid => new AuthZenAction(uid.Id),
            cancellationToken);
    }

    private async Task<AuthZenSearchResult<T>> SearchAsync<T>(
        PolicySnapshot snapshot,
        SearchRequest request,
        AuthZenCall call,
        string searched,
        IReadOnlyList<EntityUid> candidates,
        Func<EntityUid, SearchProbe> probe,
        Func<EntityUid, T> result,
        CancellationToken cancellationToken)
    {
        AuthZenLimits.Check(settings, request.Subject, request.Action, request.Resource, request.Context);
        var limit = request.Page?.Limit;
        if (limit is < 0)
        {
            throw new AuthZenRequestException("page.limit must be a non-negative integer.");
        }

        var pageSize = limit is null or 0 ? settings.MaxSearchPageSize : Math.Min(limit.Value, settings.MaxSearchPageSize);
        var fingerprint = SearchPageToken.Fingerprint(request, searched);
        var offset = 0;
        if (!string.IsNullOrEmpty(request.Page?.Token))
        {
            offset = SearchPageToken.Read(request.Page.Token, fingerprint);
        }

        var permitted = new List<EntityUid>();
        foreach (var candidate in candidates)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var p = probe(candidate);
            DecisionRequest? mapped;
            try
            {
                var outcome = await mapper.MapAsync(snapshot, p.Subject, p.Action, p.Resource, request.Context, call, cancellationToken).ConfigureAwait(false);
                if (outcome.Denied is not null)
                {
                    continue;
                }

                mapped = outcome.Request;
            }
            catch (AuthZenRequestException)
            {
                // A candidate the request cannot be evaluated for (for example an input entity of an unknown type) is
                // simply not a result: search answers unknown entities with an empty list, not an error.
                continue;
            }

            if (decisionPoint.Decide(snapshot, mapped!).Allowed)
            {
                permitted.Add(candidate);
            }
        }

        var page = permitted.Skip(offset).Take(pageSize).Select(result).ToList();
        var next = offset + page.Count;
        PageResponse? pageResponse = null;
        if (request.Page is not null || permitted.Count > pageSize)
        {
            pageResponse = new PageResponse
            {
                NextToken = next < permitted.Count ? SearchPageToken.Create(next, fingerprint) : string.Empty,
                Count = page.Count,
                Total = permitted.Count,
            };
        }

        await auditQueue.EnqueueAsync(new AuditEvent
        {
            Type = "decision.search",
            Actor = call.Caller,
            Subject = request.Subject is { Type: not null } s ? s.Type + "::" + (s.Id ?? "*") : null,
            Action = request.Action?.Name ?? "*",
            Resource = request.Resource is { Type: not null } r ? r.Type + "::" + (r.Id ?? "*") : null,
            PolicyVersion = snapshot.Version,
            RequestId = call.RequestId,
            Details = new Dictionary<string, string>
            {
                ["searched"] = searched,
                ["candidates"] = candidates.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["permitted"] = permitted.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
        }, cancellationToken).ConfigureAwait(false);
        return new AuthZenSearchResult<T>(page, pageResponse, snapshot.Version);
    }

    private async ValueTask<AuthZenDecision> EvaluateWhenMappedAsync(
        PolicySnapshot snapshot, ValueTask<AuthZenRequestMapper.MapOutcome> mapping, long start, CancellationToken cancellationToken)
    {
        try
        {
            var decision = await DecideAsync(snapshot, await mapping.ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            metrics?.Decided(Outcome(decision), start);
            return decision;
        }
        catch (AuthZenRequestException)
        {
            metrics?.Decided(MandateMetrics.DecisionOutcomes.Error, start);
            throw;
        }
    }

    // Pooled: with AuditDurability.Committed every audited allow waits here for its batch's commit.
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<AuthZenDecision> AnswerWhenRecordedAsync(ValueTask recorded, AuthZenDecision decision, long start)
    {
        await recorded.ConfigureAwait(false);
        metrics?.Decided(Outcome(decision), start);
        return decision;
    }

    private async ValueTask<AuthZenDecision> DecideAsync(PolicySnapshot snapshot, AuthZenRequestMapper.MapOutcome mapped, CancellationToken cancellationToken)
    {
        var decision = Decide(snapshot, mapped, cancellationToken, out var recorded);
        await recorded.ConfigureAwait(false);
        return decision;
    }

    /// <summary>The decision, and its record's queueing (<see cref="PolicyDecisionPoint.RecordAsync"/>) in <paramref name="recorded"/>: answer only once that completes.</summary>
    private AuthZenDecision Decide(PolicySnapshot snapshot, AuthZenRequestMapper.MapOutcome mapped, CancellationToken cancellationToken, out ValueTask recorded)
    {
        if (mapped.Denied is { } early)
        {
            // Decided before any policy ran (the credential did not verify or does not cover the request): still a
            // decision with an id, and audited like every deny.
            var denied = new PolicyDecision(false, DecisionIds.Next(), snapshot.Version, [], []);
            recorded = decisionPoint.RecordAsync(denied, mapped.Request, cancellationToken, early.DenyCode + ": " + early.DenyDescription);
            return early with { DecisionId = denied.DecisionId, PolicyVersion = denied.PolicyVersion, IgnoredProperties = mapped.Request.IgnoredProperties };
        }

        var decision = decisionPoint.Decide(snapshot, mapped.Request);
        recorded = decisionPoint.RecordAsync(decision, mapped.Request, cancellationToken);
        return AuthZenDecision.From(decision, mapped.Request.IgnoredProperties);
    }

    private static string Outcome(AuthZenDecision decision) =>
        MandateMetrics.DecisionOutcomes.Of(decision.Allowed, decision.Error is not null || decision.Errors.Count > 0);

    private static void RequireType(AuthZenEntity? entity, string member)
    {
        if (entity is null)
        {
            throw new AuthZenRequestException($"{member} is required.");
        }

        if (string.IsNullOrEmpty(entity.Type))
        {
            throw new AuthZenRequestException($"{member}.type is required.");
        }
    }

    private static void RequireEntity(AuthZenEntity? entity, string member)
    {
        RequireType(entity, member);
        if (entity!.Id is null)
        {
            throw new AuthZenRequestException($"{member}.id is required.");
        }
    }

    private static void RequireName(AuthZenAction? action, string member)
    {
        if (action is null)
        {
            throw new AuthZenRequestException($"{member} is required.");
        }

        if (string.IsNullOrEmpty(action.Name))
        {
            throw new AuthZenRequestException($"{member}.name is required.");
        }
    }

    private readonly record struct SearchProbe(AuthZenEntity? Subject, AuthZenAction? Action, AuthZenEntity? Resource);
}
