using System.Globalization;
using Mandate.Cedar;
using Mandate.Core.Audit;
using Mandate.Core.Governance.Findings;
using Mandate.Core.Identity.Inventory;
using Mandate.Core.Operators;
using Mandate.Core.Policies;
using Mandate.Core.Storage;
using Mandate.Core.Tasks;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Governance.Reviews;

/// <summary>
/// Access reviews: a campaign lists, for each identity in scope, the identity itself, every entitlement its active
/// policies grant (<see cref="EntitlementAnalyzer"/>) and every open finding about it; the reviewer certifies or
/// revokes each. A revocation takes effect before the decision is recorded: an entitlement is taken away by a new,
/// activated policy version holding a <c>forbid</c> for exactly that principal, action and resource type (annotated
/// with the campaign and item); an identity or a finding item suspends a registered identity. Every step is a ledger
/// event attributed to the operator.
/// </summary>
internal sealed class ReviewService(
    IMandateStore store,
    IAuditTrail audit,
    PolicyService policies,
    IdentityInventory identities,
    OperatorDirectory operators,
    IOptions<TaskOptions> taskOptions,
    TimeProvider time)
{
    public const string MandateSource = "mandate";
    public const int MaxReasonLength = 1000;
    private static readonly TimeSpan MaxDue = TimeSpan.FromDays(365);

    // Decisions read the active bundle and activate a successor: one at a time, so no revocation overwrites another's.
    private readonly SemaphoreSlim decisions = new(1, 1);

    public async Task<(ReviewCampaign? Campaign, ReviewError? Error)> StartAsync(ReviewStart request, string actor, string? requestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var owner = string.IsNullOrWhiteSpace(request.Owner) ? null : request.Owner.Trim();
        if ((owner is null) == !request.All)
        {
            return (null, Invalid("give either owner (one owner's identities) or all (every identity), not both and not neither."));
        }

        if (string.IsNullOrWhiteSpace(request.Reviewer))
        {
            return (null, Invalid("reviewer: required (the operator who certifies or revokes each item)."));
        }

        var reviewer = request.Reviewer.Trim();
        if (reviewer.StartsWith(OperatorActors.Prefix, StringComparison.Ordinal))
        {
            // The ledger's spelling of an operator (operator:rita) names the same person as their name.
            reviewer = reviewer[OperatorActors.Prefix.Length..];
        }

        if (await CheckReviewerAsync(reviewer, actor, cancellationToken).ConfigureAwait(false) is { } reviewerProblem)
        {
            return (null, reviewerProblem);
        }

        if (DueProblem(request.Due) is { } dueProblem)
        {
            return (null, dueProblem);
        }

        var inScope = await IdentitiesAsync(owner, cancellationToken).ConfigureAwait(false);
        var findings = await OpenFindingsAsync(owner, cancellationToken).ConfigureAwait(false);
        if (inScope.Count == 0 && findings.Count == 0)
        {
            return (null, Invalid(owner is null ? "nothing to review: no active identity and no open finding." : $"owner: {owner} has no active identity and no open finding to review."));
        }

        var campaign = await CreateAsync(owner, reviewer, request.Due!.Value, "review", inScope, findings, actor, requestId, cancellationToken).ConfigureAwait(false);
        return (campaign, null);
    }

    /// <summary>Null when <paramref name="reviewer"/> is an enabled operator holding <c>reviewer</c> who is not <paramref name="actor"/>.</summary>
    public async Task<ReviewError?> CheckReviewerAsync(string reviewer, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reviewer);
        var account = await operators.GetAsync(reviewer, cancellationToken).ConfigureAwait(false);
        if (account is null || !account.Enabled || !OperatorRoles.Satisfies(account.Roles, OperatorRole.Reviewer))
        {
            return Invalid($"reviewer: {reviewer} is not an enabled operator holding the reviewer role.");
        }

        return SeparationOfDuties.CheckApprover(actor, account.Actor) is { } separation
            ? new ReviewError(separation.Code, $"{separation.Message} The reviewer must not be the operator who starts the review.")
            : null;
    }

    /// <summary>
    /// A campaign over <paramref name="inScope"/> for a new owner after a transfer (offboarding), decided by
    /// <paramref name="reviewer"/> or, when none is named, by any operator holding <c>reviewer</c> other than <paramref name="actor"/>.
    /// </summary>
    public Task<ReviewCampaign> StartTransferReviewAsync(string newOwner, IReadOnlyList<WorkloadIdentity> inScope, string origin, string? reviewer, DateTimeOffset due, string actor, string? requestId, CancellationToken cancellationToken) =>
        CreateAsync(newOwner, reviewer, due, origin, inScope, [], actor, requestId, cancellationToken);

    public async Task<ReviewCampaign?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        return await session.Get<IReviewRepository>().GetAsync(id, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ReviewCampaign>> ListAsync(int limit, CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        return await session.Get<IReviewRepository>().ListAsync(limit, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ReviewItem>> ItemsAsync(string id, CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        return await session.Get<IReviewRepository>().ItemsAsync(id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Certifies or revokes one item. Only the campaign's reviewer decides (any reviewer other than the starter when
    /// none is named); a decided item stays decided. A revocation is enforced first, then recorded with how.
    /// </summary>
    public async Task<(ReviewItem? Item, ReviewError? Error)> DecideAsync(string campaignId, int number, bool revoke, string? reason, string actor, bool actorIsReviewer, string? requestId, CancellationToken cancellationToken)
    {
        var why = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        if (why is null || why.Length > MaxReasonLength)
        {
            return (null, Invalid($"reason: required (at most {MaxReasonLength} characters): it is recorded with the decision."));
        }

        await decisions.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var campaign = await GetAsync(campaignId, cancellationToken).ConfigureAwait(false);
            if (campaign is null)
            {
                return (null, new ReviewError(ReviewErrorCodes.NotFound, $"No access review {campaignId}."));
            }

            if (campaign.Reviewer is { } named ? !string.Equals(actor, OperatorActors.Of(named), StringComparison.Ordinal) : !actorIsReviewer)
            {
                return (null, new ReviewError(
                    ReviewErrorCodes.NotReviewer,
                    campaign.Reviewer is { } r ? $"Only the review's reviewer (operator:{r}) decides its items; {actor} is not." : $"{actor} does not hold the reviewer role."));
            }

            if (SeparationOfDuties.CheckApprover(campaign.StartedBy, actor) is { } separation)
            {
                return (null, new ReviewError(separation.Code, $"{separation.Message} The operator who started the review does not decide its items."));
            }

            var item = (await ItemsAsync(campaignId, cancellationToken).ConfigureAwait(false)).FirstOrDefault(i => i.Number == number);
            if (item is null)
            {
                return (null, new ReviewError(ReviewErrorCodes.NotFound, $"The access review {campaignId} has no item {number.ToString(CultureInfo.InvariantCulture)} (items are numbered from 1 to {campaign.Items.ToString(CultureInfo.InvariantCulture)})."));
            }

            if (item.Decision is not null)
            {
                return (null, new ReviewError(ReviewErrorCodes.ItemDecided, $"Item {number.ToString(CultureInfo.InvariantCulture)} of {campaignId} was {item.Decision} by {item.DecidedBy} already."));
            }

            var now = time.GetUtcNow();
            var decided = item with
            {
                Decision = revoke ? ReviewStatuses.Revoked : ReviewStatuses.Certified,
                DecidedBy = actor,
                DecidedAt = DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds()),
                Reason = why,
            };
            if (revoke)
            {
                var (enforced, enforceError) = await EnforceAsync(campaign, decided, actor, requestId, cancellationToken).ConfigureAwait(false);
                if (enforceError is not null)
                {
                    return (null, enforceError);
                }

                decided = enforced!;
            }

            return (await RecordDecisionAsync(campaign, decided, actor, requestId, cancellationToken).ConfigureAwait(false), null);
        }
        finally
        {
            decisions.Release();
        }
    }

    /// <summary>
    /// Lifts a revoked entitlement: a new policy version without the item's forbid is activated first (access is back
    /// from that version on), then the lift is recorded on the item and in the ledger (<c>review.item_lifted</c>),
    /// attributed to <paramref name="actor"/>. Only an entitlement revoked by a forbid, and not lifted yet, can be.
    /// </summary>
    /// <remarks>
    /// Should the record fail after the activation, the item still counts as revoked, and the next
    /// <see cref="EnsureForbidsAsync"/> (at start, after a reload, push or rollback) puts its forbid back: it fails closed.
    /// </remarks>
    public async Task<(ReviewItem? Item, ReviewError? Error)> LiftAsync(string campaignId, int number, string? reason, string actor, string? requestId, CancellationToken cancellationToken)
    {
        var why = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        if (why is null || why.Length > MaxReasonLength)
        {
            return (null, Invalid($"reason: required (at most {MaxReasonLength} characters): it is recorded with the lift."));
        }

        await decisions.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var campaign = await GetAsync(campaignId, cancellationToken).ConfigureAwait(false);
            if (campaign is null)
            {
                return (null, new ReviewError(ReviewErrorCodes.NotFound, $"No access review {campaignId}."));
            }

            var item = (await ItemsAsync(campaignId, cancellationToken).ConfigureAwait(false)).FirstOrDefault(i => i.Number == number);
            if (item is null)
            {
                return (null, new ReviewError(ReviewErrorCodes.NotFound, $"The access review {campaignId} has no item {number.ToString(CultureInfo.InvariantCulture)} (items are numbered from 1 to {campaign.Items.ToString(CultureInfo.InvariantCulture)})."));
            }

            if (item.LiftedAt is not null)
            {
                return (null, new ReviewError(ReviewErrorCodes.NotLiftable, $"Item {number.ToString(CultureInfo.InvariantCulture)} of {campaignId} was lifted by {item.LiftedBy} already (policy version {item.LiftPolicyVersion})."));
            }

            if (item.Kind != ReviewStatuses.EntitlementItem || item.Decision != ReviewStatuses.Revoked || item.Enforcement != "policy_version")
            {
                return (null, new ReviewError(
                    ReviewErrorCodes.NotLiftable,
                    $"Item {number.ToString(CultureInfo.InvariantCulture)} of {campaignId} is {(item.Decision is null ? "undecided" : item.Decision)} {item.Kind}: only a revoked entitlement (a forbid in a policy version) is lifted; a suspended identity is reactivated with 'mandate identity reactivate'."));
            }

            var remaining = (await RevokedEntitlementsAsync(cancellationToken).ConfigureAwait(false))
                .Where(i => !(i.CampaignId == campaignId && i.Number == number)).ToList();
            PolicySnapshot snapshot;
            try
            {
                snapshot = await policies.ActivateAsync(WithForbids(policies.Active.Current.Bundle, remaining), "review:" + campaignId + ":lift", actor, cancellationToken).ConfigureAwait(false);
            }
            catch (PolicySetRejectedException e)
            {
                return (null, Invalid("the policies without the forbid do not compile, so nothing changed: " + string.Join("; ", e.Errors)));
            }

            var now = DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds());
            var lifted = item with { LiftedBy = actor, LiftedAt = now, LiftReason = why, LiftPolicyVersion = snapshot.Version };
            var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
            await using var sessionDisposal = session.ConfigureAwait(false);
            var details = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["campaign"] = campaignId,
                ["item"] = number.ToString(CultureInfo.InvariantCulture),
                ["kind"] = item.Kind,
                ["forbid"] = ForbidId(campaignId, number),
                ["revoked_by"] = item.DecidedBy ?? "",
                ["policy_version"] = snapshot.Version,
            };
            Add(details, "action", item.Action);
            Add(details, "resource_type", item.ResourceType);
            Add(details, "revoked_policy_version", item.PolicyVersion);
            Add(details, "revoked_ledger_seq", item.LedgerSequence?.ToString(CultureInfo.InvariantCulture));
            var record = await audit.RecordAsync(
                session,
                new AuditEvent
                {
                    Type = "review.item_lifted",
                    Actor = actor,
                    Subject = item.Identity,
                    Action = "lift",
                    Resource = "review:" + campaignId + "#" + number.ToString(CultureInfo.InvariantCulture),
                    PolicyVersion = snapshot.Version,
                    Reason = why,
                    RequestId = requestId,
                    Details = details,
                },
                cancellationToken).ConfigureAwait(false);
            lifted = lifted with { LiftLedgerSequence = record.Sequence };
            if (!await session.Get<IReviewRepository>().LiftAsync(lifted, cancellationToken).ConfigureAwait(false))
            {
                throw new InvalidOperationException($"Item {number} of {campaignId} was lifted by another node while this lift ran.");
            }

            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
            return (lifted, null);
        }
        finally
        {
            decisions.Release();
        }
    }

    /// <summary>
    /// Reports each open campaign that passed its due time, once: a <c>review.overdue</c> ledger event (actor
    /// <c>system</c>) with the reviewer and what is still pending. Returns how many were reported.
    /// </summary>
    public async Task<int> ReportOverdueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var repository = session.Get<IReviewRepository>();
        var overdue = await repository.UnreportedOverdueAsync(now, cancellationToken).ConfigureAwait(false);
        var reported = 0;
        foreach (var campaign in overdue)
        {
            if (!await repository.MarkOverdueReportedAsync(campaign.Id, now, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            var details = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["campaign"] = campaign.Id,
                ["due"] = AuditCanonicalForm.FormatTime(campaign.Due),
                ["items"] = campaign.Items.ToString(CultureInfo.InvariantCulture),
                ["pending"] = (campaign.Items - campaign.Decided).ToString(CultureInfo.InvariantCulture),
            };
            Add(details, "owner", campaign.Owner);
            Add(details, "reviewer", campaign.Reviewer is null ? null : OperatorActors.Of(campaign.Reviewer));
            await audit.RecordAsync(
                session,
                new AuditEvent { Type = "review.overdue", Actor = "system", Action = "report", Resource = "review:" + campaign.Id, Details = details },
                cancellationToken).ConfigureAwait(false);
            reported++;
        }

        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        return reported;
    }

    private async Task<ReviewItem> RecordDecisionAsync(ReviewCampaign campaign, ReviewItem decided, string actor, string? requestId, CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var repository = session.Get<IReviewRepository>();
        var details = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["campaign"] = campaign.Id,
            ["item"] = decided.Number.ToString(CultureInfo.InvariantCulture),
            ["kind"] = decided.Kind,
            ["decision"] = decided.Decision!,
        };
        Add(details, "action", decided.Action);
        Add(details, "resource_type", decided.ResourceType);
        Add(details, "finding", decided.Finding);
        Add(details, "enforcement", decided.Enforcement);
        Add(details, "enforcement_detail", decided.EnforcementDetail);
        Add(details, "policy_version", decided.PolicyVersion);
        if (decided.Policies.Count > 0)
        {
            details["policies"] = string.Join(",", decided.Policies);
        }

        var record = await audit.RecordAsync(
            session,
            new AuditEvent
            {
                Type = decided.Decision == ReviewStatuses.Revoked ? "review.item_revoked" : "review.item_certified",
                Actor = actor,
                Subject = decided.Identity,
                Action = decided.Decision == ReviewStatuses.Revoked ? "revoke" : "certify",
                Resource = "review:" + campaign.Id + "#" + decided.Number.ToString(CultureInfo.InvariantCulture),
                PolicyVersion = decided.PolicyVersion,
                Reason = decided.Reason,
                RequestId = requestId,
                Details = details,
            },
            cancellationToken).ConfigureAwait(false);
        decided = decided with { LedgerSequence = record.Sequence };
        if (!await repository.DecideAsync(decided, cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"Item {decided.Number} of {campaign.Id} was decided by another node while this decision ran.");
        }

        if (campaign.Decided + 1 >= campaign.Items)
        {
            var now = time.GetUtcNow();
            await repository.CompleteAsync(campaign.Id, now, cancellationToken).ConfigureAwait(false);
            await audit.RecordAsync(
                session,
                new AuditEvent
                {
                    Type = "review.completed",
                    Actor = actor,
                    Action = "complete",
                    Resource = "review:" + campaign.Id,
                    RequestId = requestId,
                    Details = new Dictionary<string, string>(StringComparer.Ordinal)
                    {
                        ["campaign"] = campaign.Id,
                        ["items"] = campaign.Items.ToString(CultureInfo.InvariantCulture),
                        ["overdue"] = campaign.IsOverdue(now) ? "true" : "false",
                    },
                },
                cancellationToken).ConfigureAwait(false);
        }

        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        return decided;
    }

    private async Task<(ReviewItem? Item, ReviewError? Error)> EnforceAsync(ReviewCampaign campaign, ReviewItem item, string actor, string? requestId, CancellationToken cancellationToken)
    {
        if (item.Kind == ReviewStatuses.EntitlementItem)
        {
            var revoked = (await RevokedEntitlementsAsync(cancellationToken).ConfigureAwait(false)).Append(item with { Enforcement = "policy_version" }).ToList();
            var bundle = WithForbids(policies.Active.Current.Bundle, revoked);
            try
            {
                var snapshot = await policies.ActivateAsync(bundle, "review:" + campaign.Id, actor, cancellationToken).ConfigureAwait(false);
                return (item with { Enforcement = "policy_version", PolicyVersion = snapshot.Version, EnforcementDetail = "forbid " + ForbidId(campaign.Id, item.Number) }, null);
            }
            catch (PolicySetRejectedException e)
            {
                return (null, Invalid("the revocation's forbid does not compile with the active policies, so nothing changed: " + string.Join("; ", e.Errors)));
            }
        }

        if (item.Source != MandateSource)
        {
            return (item with
            {
                Enforcement = "none",
                EnforcementDetail = $"the identity is imported from {item.Source}; Mandate does not issue its credentials: disable it at the source",
            }, null);
        }

        var current = await identities.GetAsync(item.Identity, cancellationToken).ConfigureAwait(false);
        if (current is null || current.Status is IdentityStatus.Revoked or IdentityStatus.Offboarded)
        {
            return (item with { Enforcement = "none", EnforcementDetail = current is null ? "the identity is no longer registered" : "the identity is " + IdentityStatuses.Name(current.Status) + " already" }, null);
        }

        if (current.Status == IdentityStatus.Active)
        {
            var result = await identities.ChangeStatusAsync(
                item.Identity, IdentityStatus.Suspended, $"access review {campaign.Id} item {item.Number.ToString(CultureInfo.InvariantCulture)}: {item.Reason}", actor, requestId, cancellationToken).ConfigureAwait(false);
            if (result.Error is { } error)
            {
                return (null, new ReviewError(error.Code, error.Message));
            }
        }

        return (item with { Enforcement = "identity_suspended", EnforcementDetail = item.Identity }, null);
    }

    /// <summary>
    /// Puts back the forbids of every revoked entitlement when the active policies lack them: after a start that loaded
    /// a directory or the demo bundle, a directory reload, a push or a rollback. A revoked entitlement stays revoked until
    /// it is lifted (<see cref="LiftAsync"/>). Null when nothing had to change.
    /// </summary>
    public async Task<PolicySnapshot?> EnsureForbidsAsync(string actor, CancellationToken cancellationToken)
    {
        await decisions.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var revoked = await RevokedEntitlementsAsync(cancellationToken).ConfigureAwait(false);
            var current = policies.Active.Current.Bundle;
            var wanted = WithForbids(current, revoked);
            if (wanted.Policies.Count == current.Policies.Count && wanted.Policies.All(w => current.Policies.Any(c => c.Name == w.Name && c.Text == w.Text)))
            {
                return null;
            }

            return await policies.ActivateAsync(wanted, "review:restore", actor, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            decisions.Release();
        }
    }

    private async Task<IReadOnlyList<ReviewItem>> RevokedEntitlementsAsync(CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        return await session.Get<IReviewRepository>().RevokedEntitlementsAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary><paramref name="bundle"/> with one <c>reviews/&lt;campaign&gt;.cedar</c> file per campaign holding its revoked entitlements' forbids, in item order.</summary>
    private PolicyBundle WithForbids(PolicyBundle bundle, IReadOnlyList<ReviewItem> revoked)
    {
        var files = bundle.Policies.Where(p => !p.Name.StartsWith(ForbidDirectory, StringComparison.Ordinal)).ToList();
        foreach (var campaign in revoked.GroupBy(i => i.CampaignId, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var text = new System.Text.StringBuilder($"// Revocations of access review {campaign.Key}: one forbid per revoked entitlement.\n");
            foreach (var item in campaign.OrderBy(i => i.Number))
            {
                text.Append('\n').Append(ForbidText(campaign.Key, item));
            }

            files.Add(new PolicyFile(ForbidDirectory + campaign.Key + ".cedar", text.ToString()));
        }

        return bundle with { Policies = files };
    }

    private const string ForbidDirectory = "reviews/";

    private string ForbidText(string campaignId, ReviewItem item)
    {
        var principal = new EntityUid(taskOptions.Value.PrincipalEntityType, item.Identity);
        var action = item.Action is null or "Action::\"*\"" ? "action" : "action == " + item.Action;
        var resource = item.ResourceType is null or EntitlementAnalyzer.AnyResourceType ? "resource" : "resource is " + item.ResourceType;
        return $"""
            @id({Quote(ForbidId(campaignId, item.Number))})
            @review_campaign({Quote(campaignId)})
            @review_item({Quote(item.Number.ToString(CultureInfo.InvariantCulture))})
            forbid (principal == {principal}, {action}, {resource});

            """;
    }

    private static string ForbidId(string campaignId, int number) => $"review-{campaignId}-{number.ToString(CultureInfo.InvariantCulture)}";

    private static string Quote(string value) => Cedar.Syntax.StringEscaper.Quote(value);

    private async Task<ReviewCampaign> CreateAsync(
        string? owner,
        string? reviewer,
        DateTimeOffset due,
        string origin,
        IReadOnlyList<WorkloadIdentity> inScope,
        IReadOnlyList<Finding> findings,
        string actor,
        string? requestId,
        CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds());
        var id = OperatorDirectory.NewId("rvw_");
        var snapshot = policies.Active.Current;
        var principalType = taskOptions.Value.PrincipalEntityType;
        var items = new List<ReviewItem>();
        ReviewItem Item(string kind, string identity, string source, string? itemOwner, string summary) => new()
        {
            CampaignId = id,
            Number = items.Count + 1,
            Kind = kind,
            Identity = identity,
            Source = source,
            Owner = itemOwner,
            Summary = summary,
        };

        foreach (var identity in inScope)
        {
            items.Add(Item(ReviewStatuses.IdentityItem, identity.SpiffeId, MandateSource, identity.Owner, $"{identity.SpiffeId} ({NhiKinds.Name(identity.Kind)}, {IdentityStatuses.Name(identity.Status)}): {identity.Purpose}"));
            foreach (var entitlement in EntitlementAnalyzer.For(snapshot, new EntityUid(principalType, identity.SpiffeId)))
            {
                items.Add(Item(ReviewStatuses.EntitlementItem, identity.SpiffeId, MandateSource, identity.Owner, $"{entitlement.Action} on {entitlement.ResourceType}, granted by {string.Join(", ", entitlement.Policies)}") with
                {
                    Action = entitlement.Action,
                    ResourceType = entitlement.ResourceType,
                    Policies = entitlement.Policies,
                });
            }
        }

        foreach (var finding in findings)
        {
            var source = finding.Source;
            items.Add(Item(ReviewStatuses.FindingItem, finding.Identity, source, finding.Owner, $"{finding.Kind} ({finding.Severity}): {finding.Summary}") with { Finding = finding.Id });
        }

        var campaign = new ReviewCampaign
        {
            Id = id,
            Owner = owner,
            Reviewer = reviewer,
            StartedBy = actor,
            StartedAt = now,
            Due = DateTimeOffset.FromUnixTimeMilliseconds(due.ToUnixTimeMilliseconds()),
            Origin = origin,
            Items = items.Count,
        };
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        await session.Get<IReviewRepository>().InsertAsync(campaign, items, cancellationToken).ConfigureAwait(false);
        var details = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["campaign"] = id,
            ["scope"] = owner is null ? "all" : "owner",
            ["due"] = AuditCanonicalForm.FormatTime(campaign.Due),
            ["items"] = items.Count.ToString(CultureInfo.InvariantCulture),
            ["identities"] = inScope.Count.ToString(CultureInfo.InvariantCulture),
            ["entitlements"] = items.Count(i => i.Kind == ReviewStatuses.EntitlementItem).ToString(CultureInfo.InvariantCulture),
            ["findings"] = findings.Count.ToString(CultureInfo.InvariantCulture),
            ["origin"] = origin,
            ["policy_version"] = snapshot.Version,
        };
        Add(details, "owner", owner);
        Add(details, "reviewer", reviewer is null ? null : OperatorActors.Of(reviewer));
        await audit.RecordAsync(
            session,
            new AuditEvent { Type = "review.started", Actor = actor, Action = "start", Resource = "review:" + id, PolicyVersion = snapshot.Version, RequestId = requestId, Details = details },
            cancellationToken).ConfigureAwait(false);
        await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        return campaign;
    }

    private ReviewError? DueProblem(DateTimeOffset? due)
    {
        var now = time.GetUtcNow();
        return due switch
        {
            null => Invalid("due: required (an RFC 3339 time: the review is overdue after it)."),
            { } d when d <= now => Invalid("due: must be in the future."),
            { } d when d > now + MaxDue => Invalid("due: at most 365 days ahead."),
            _ => null,
        };
    }

    private async Task<IReadOnlyList<WorkloadIdentity>> IdentitiesAsync(string? owner, CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var all = await session.Get<IIdentityRepository>().ListAllAsync(new IdentityQuery { Owner = owner }, cancellationToken).ConfigureAwait(false);
        return [.. all.Where(i => i.Status is IdentityStatus.Active or IdentityStatus.Suspended)];
    }

    private async Task<IReadOnlyList<Finding>> OpenFindingsAsync(string? owner, CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        return await session.Get<IFindingRepository>().ListAsync(new FindingQuery { Owner = owner, Status = "open" }, cancellationToken).ConfigureAwait(false);
    }

    private static void Add(Dictionary<string, string> details, string key, string? value)
    {
        if (value is not null)
        {
            details[key] = value;
        }
    }

    private static ReviewError Invalid(string message) => new(ReviewErrorCodes.Invalid, message);
}
