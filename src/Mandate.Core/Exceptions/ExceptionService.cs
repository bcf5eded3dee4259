using System.Globalization;
using Mandate.Cedar;
using Mandate.Core.Audit;
using Mandate.Core.Detection;
using Mandate.Core.Governance.Reviews;
using Mandate.Core.Identity.Inventory;
using Mandate.Core.Operators;
using Mandate.Core.Policies;
using Mandate.Core.Storage;
using Mandate.Core.Tasks;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Exceptions;

/// <summary>
/// Exceptions and break-glass. An exception is requested by one operator and approved by another
/// (<see cref="SeparationOfDuties"/>); once approved it is a Cedar permit for exactly one identity, action and resource
/// until its TTL runs out or it is revoked. Break-glass is the emergency path: activated at once by the operator who
/// needs it, for at most an hour, raising a critical alert and opening a mandatory review in the same transaction.
/// Grants never override a forbid (see <see cref="Decisions.PolicyDecisionPoint"/>). Every step is a ledger event.
/// </summary>
internal sealed class ExceptionService(
    IMandateStore store,
    IAuditTrail audit,
    IdentityInventory identities,
    PolicyService policies,
    ActiveGrants active,
    IOptions<ExceptionOptions> options,
    IOptions<TaskOptions> taskOptions,
    TimeProvider time,
    AlertSignal? alerts = null)
{
    public const int MaxReasonLength = 1000;
    public const string SweeperActor = "system";
    public const string BreakGlassAlertRule = "breakglass";

    private readonly ExceptionOptions settings = options.Value;

    /// <summary>Records a pending exception request; it lapses if nobody approves it within its TTL.</summary>
    public async Task<(AccessGrant? Grant, GrantError? Error)> RequestAsync(GrantRequest request, string actor, string? requestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = Now();
        var (draft, error) = await DraftAsync(request, GrantKinds.Exception, "exc_", settings.MaxTtl, defaultTtl: null, actor, now, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return (null, error);
        }

        var grant = draft! with { Status = GrantStatuses.Pending, ExpiresAt = now + draft.Ttl };
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            await session.Get<IGrantRepository>().InsertAsync(grant, cancellationToken).ConfigureAwait(false);
            await audit.RecordAsync(session, Event("exception.requested", grant, actor, "request", requestId, grant.Reason), cancellationToken).ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        return (grant, null);
    }

    /// <summary>Approves a pending request: someone other than the requester; the grant is active for its TTL from now.</summary>
    public async Task<(AccessGrant? Grant, GrantError? Error)> ApproveAsync(string id, string actor, string? requestId, CancellationToken cancellationToken)
    {
        var (grant, error) = await FindAsync(id, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return (null, error);
        }

        var now = Now();
        if (grant!.Kind != GrantKinds.Exception || grant.Status != GrantStatuses.Pending || grant.ExpiresAt <= now)
        {
            return (null, NotPending(grant, now));
        }

        if (SeparationOfDuties.CheckApprover(grant.RequestedBy, actor) is { } separation)
        {
            return (null, new GrantError(separation.Code, $"{separation.Message} An exception is approved by an operator other than its requester."));
        }

        var expires = now + grant.Ttl;
        var policy = GrantPolicy.Build(grant.Id, expires, Uid(grant.Principal), Uid(grant.Action), Uid(grant.Resource), out var policyError);
        if (policy is null)
        {
            return (null, Invalid(policyError!));
        }

        var approved = grant with { Status = GrantStatuses.Active, ExpiresAt = expires, DecidedBy = actor, DecidedAt = now, Policy = policy };
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            if (!await session.Get<IGrantRepository>().UpdateAsync(approved, GrantStatuses.Pending, cancellationToken).ConfigureAwait(false))
            {
                return (null, new GrantError(GrantErrorCodes.Conflict, $"The exception {grant.Id} was decided meanwhile."));
            }

            await audit.RecordAsync(session, Event("exception.approved", approved, actor, "approve", requestId, null), cancellationToken).ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        await ReloadAsync(cancellationToken).ConfigureAwait(false);
        return (approved, null);
    }

    /// <summary>Denies a pending request (the requester may withdraw their own request this way).</summary>
    public async Task<(AccessGrant? Grant, GrantError? Error)> DenyAsync(string id, string? reason, string actor, string? requestId, CancellationToken cancellationToken)
    {
        if (ReasonProblem(reason) is { } reasonProblem)
        {
            return (null, reasonProblem);
        }

        var (grant, error) = await FindAsync(id, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return (null, error);
        }

        var now = Now();
        if (grant!.Status != GrantStatuses.Pending || grant.ExpiresAt <= now)
        {
            return (null, NotPending(grant, now));
        }

        var denied = grant with { Status = GrantStatuses.Denied, DecidedBy = actor, DecidedAt = now, EndedBy = actor, EndedAt = now, EndReason = reason!.Trim() };
        return await EndAsync(denied, GrantStatuses.Pending, "exception.denied", "deny", actor, requestId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends an active grant (exception or break-glass) at once, on every node.</summary>
    public async Task<(AccessGrant? Grant, GrantError? Error)> RevokeAsync(string id, string? reason, string actor, string? requestId, CancellationToken cancellationToken)
    {
        if (ReasonProblem(reason) is { } reasonProblem)
        {
            return (null, reasonProblem);
        }

        var (grant, error) = await FindAsync(id, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return (null, error);
        }

        if (grant!.Status != GrantStatuses.Active)
        {
            return (null, new GrantError(GrantErrorCodes.Conflict, $"The grant {grant.Id} is {grant.Status}, not active: there is nothing to revoke."));
        }

        var now = Now();
        var revoked = grant with { Status = GrantStatuses.Revoked, EndedBy = actor, EndedAt = now, EndReason = reason!.Trim() };
        return await EndAsync(revoked, GrantStatuses.Active, "exception.revoked", "revoke", actor, requestId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Break-glass: an active grant at once, approved by the operator who activates it, for at most
    /// <see cref="ExceptionOptions.BreakGlassMaxTtl"/> (an hour at most), with a critical <c>breakglass</c> alert and a
    /// review campaign holding one <c>breakglass</c> item, all committed with the grant.
    /// </summary>
    public async Task<(AccessGrant? Grant, GrantError? Error)> BreakGlassAsync(GrantRequest request, string actor, string? requestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = Now();
        var (draft, error) = await DraftAsync(request, GrantKinds.BreakGlass, "brk_", settings.BreakGlassMaxTtl, settings.BreakGlassMaxTtl, actor, now, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return (null, error);
        }

        var expires = now + draft!.Ttl;
        var policy = GrantPolicy.Build(draft.Id, expires, Uid(draft.Principal), Uid(draft.Action), Uid(draft.Resource), out var policyError);
        if (policy is null)
        {
            return (null, Invalid(policyError!));
        }

        var grant = draft with { Status = GrantStatuses.Active, ExpiresAt = expires, DecidedBy = actor, DecidedAt = now, Policy = policy };
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ActivateAsync(grant, actor, requestId, now, cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (StoreException) when (attempt < 3 && !cancellationToken.IsCancellationRequested)
            {
                // The alert's sequence is the store's last plus one: a node's detection engine committing an alert at the
                // same moment takes it first (a unique-key refusal on PostgreSQL). Nothing was committed; try again.
            }
        }

        alerts?.Raised();
        await ReloadAsync(cancellationToken).ConfigureAwait(false);
        return (grant, null);
    }

    private async Task ActivateAsync(AccessGrant grant, string actor, string? requestId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            await session.Get<IGrantRepository>().InsertAsync(grant, cancellationToken).ConfigureAwait(false);
            var activated = await audit.RecordAsync(session, Event("breakglass.activated", grant, actor, "breakglass", requestId, grant.Reason), cancellationToken).ConfigureAwait(false);

            // At once, not when the detection loop reads the ledger: the alert list, the server-sent event streams and,
            // through the detection.alert ledger event, every webhook subscribed to alert.raised.
            var repository = session.Get<IDetectionRepository>();
            var alert = new DetectionAlert
            {
                Sequence = await repository.GetLastAlertSequenceAsync(cancellationToken).ConfigureAwait(false) + 1,
                Id = "alt_" + Credentials.CompactJti.New(),
                Rule = BreakGlassAlertRule,
                Severity = "critical",
                Identity = grant.Identity,
                Time = now,
                Summary = $"Break-glass {grant.Id} by {actor}: {grant.Identity} may {grant.Action} on {grant.Resource} until {GrantPolicy.FormatExpiry(grant.ExpiresAt)}. Reason: {grant.Reason}",
                Evidence = [activated.Sequence],
                Response = new AlertResponse([DetectionResponseKinds.Alert], null, null, AlertResponse.Done, []),
            };
            await repository.AddAlertAsync(alert, cancellationToken).ConfigureAwait(false);
            await audit.RecordAsync(session, AlertEvent(alert, grant), cancellationToken).ConfigureAwait(false);
            await OpenReviewAsync(session, grant, actor, requestId, now, cancellationToken).ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<AccessGrant?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        return await session.Get<IGrantRepository>().GetAsync(id, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<AccessGrant>> ListAsync(string? status, string? identity, int limit, CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        return await session.Get<IGrantRepository>().ListAsync(status, identity, limit, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads every active grant from the store into this node's view.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<AccessGrant> current;
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            current = await session.Get<IGrantRepository>().ActiveAsync(cancellationToken).ConfigureAwait(false);
        }

        active.Load(current);
    }

    /// <summary>
    /// Ends active grants and lapses pending requests past their expiry (<c>exception.expired</c>); returns how many.
    /// Safe on several nodes at once: each grant is ended by whichever node moves its status first.
    /// </summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var now = Now();
        IReadOnlyList<AccessGrant> due;
        var read = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using (read.ConfigureAwait(false))
        {
            due = await read.Get<IGrantRepository>().DueAsync(now, 100, cancellationToken).ConfigureAwait(false);
        }

        var ended = 0;
        foreach (var grant in due)
        {
            var expired = grant with
            {
                Status = GrantStatuses.Expired,
                EndedBy = SweeperActor,
                EndedAt = now,
                EndReason = grant.Status == GrantStatuses.Pending ? "not approved within its TTL" : "TTL ran out",
            };
            var (done, _) = await EndAsync(expired, grant.Status, "exception.expired", "expire", SweeperActor, null, cancellationToken, reload: false).ConfigureAwait(false);
            ended += done is null ? 0 : 1;
        }

        if (ended > 0)
        {
            await ReloadAsync(cancellationToken).ConfigureAwait(false);
        }

        return ended;
    }

    private async Task<(AccessGrant? Grant, GrantError? Error)> EndAsync(
        AccessGrant ended, string expectedStatus, string eventType, string action, string actor, string? requestId, CancellationToken cancellationToken, bool reload = true)
    {
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            if (!await session.Get<IGrantRepository>().UpdateAsync(ended, expectedStatus, cancellationToken).ConfigureAwait(false))
            {
                return (null, new GrantError(GrantErrorCodes.Conflict, $"The grant {ended.Id} changed meanwhile."));
            }

            var previous = new Dictionary<string, string>(StringComparer.Ordinal) { ["previous_status"] = expectedStatus };
            await audit.RecordAsync(session, Event(eventType, ended, actor, action, requestId, ended.EndReason, previous), cancellationToken).ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (reload && expectedStatus == GrantStatuses.Active)
        {
            await ReloadAsync(cancellationToken).ConfigureAwait(false);
        }

        return (ended, null);
    }

    private async Task<(AccessGrant? Draft, GrantError? Error)> DraftAsync(
        GrantRequest request, string kind, string idPrefix, TimeSpan maxTtl, TimeSpan? defaultTtl, string actor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (ReasonProblem(request.Reason) is { } reasonProblem)
        {
            return (null, reasonProblem);
        }

        var ttl = request.Ttl ?? defaultTtl;
        if (ttl is null)
        {
            return (null, Invalid($"ttl: required (how long the grant lasts once approved, at most {Format(maxTtl)})."));
        }

        if (ttl < settings.MinTtl || ttl > maxTtl)
        {
            return (null, Invalid($"ttl: {Format(ttl.Value)} is not between {Format(settings.MinTtl)} and {Format(maxTtl)}, the longest {(kind == GrantKinds.BreakGlass ? "break-glass grant" : "exception")} allowed."));
        }

        if (string.IsNullOrWhiteSpace(request.Identity) || request.Identity.Length > GrantPolicy.MaxEntityLength || request.Identity.Any(char.IsControl))
        {
            return (null, Invalid("identity: required (the identity's id, a SPIFFE ID)."));
        }

        var identityId = request.Identity.Trim();
        var identity = await identities.GetAsync(identityId, cancellationToken).ConfigureAwait(false);
        if (identity is null)
        {
            return (null, new GrantError(GrantErrorCodes.IdentityUnknown, $"identity: {identityId} is not a registered identity."));
        }

        if (!identity.IsUsableAt(now))
        {
            // Its decisions end before any policy runs (identity_inactive): a grant could never be used.
            return (null, Invalid($"identity: {identity.SpiffeId} is {IdentityStatuses.Name(identity.Status)}{(identity.Status == IdentityStatus.Active ? " but expired" : string.Empty)}: only an active identity can use a grant."));
        }

        var snapshot = policies.Active.Current;
        if (GrantPolicy.ParseAction(request.Action, snapshot.ActionFor, out var actionError) is not { } action)
        {
            return (null, Invalid(actionError!));
        }

        if (GrantPolicy.ParseEntity(request.Resource, "resource", out var resourceError) is not { } resource)
        {
            return (null, Invalid(resourceError!));
        }

        var principal = new EntityUid(taskOptions.Value.PrincipalEntityType, identity.SpiffeId);
        var id = OperatorDirectory.NewId(idPrefix);

        // Built now too (with the longest expiry it could get) so a request that could never become a policy is refused
        // when it is made, not when it is approved.
        if (GrantPolicy.Build(id, now + ttl.Value, principal, action, resource, out var policyError) is null)
        {
            return (null, Invalid(policyError!));
        }

        return (new AccessGrant
        {
            Id = id,
            Kind = kind,
            Identity = identity.SpiffeId,
            IdentityKind = NhiKinds.Name(identity.Kind),
            IdentityOwner = identity.Owner,
            Principal = principal.ToString(),
            Action = action.ToString(),
            Resource = resource.ToString(),
            Ttl = ttl.Value,
            Reason = request.Reason!.Trim(),
            Status = GrantStatuses.Pending,
            RequestedBy = actor,
            RequestedAt = now,
            ExpiresAt = now,
        }, null);
    }

    private async Task OpenReviewAsync(IStoreSession session, AccessGrant grant, string actor, string? requestId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // The review is decided by any reviewer other than the operator who broke the glass (SeparationOfDuties).
        var campaign = new ReviewCampaign
        {
            Id = OperatorDirectory.NewId("rvw_"),
            Owner = grant.IdentityOwner,
            Reviewer = null,
            StartedBy = actor,
            StartedAt = now,
            Due = now + settings.BreakGlassReviewDue,
            Origin = "breakglass:" + grant.Id,
            Items = 1,
        };
        var item = new ReviewItem
        {
            CampaignId = campaign.Id,
            Number = 1,
            Kind = ReviewStatuses.BreakGlassItem,
            Identity = grant.Identity,
            Source = ReviewService.MandateSource,
            Owner = grant.IdentityOwner,
            Action = grant.Action,
            Summary = $"break-glass {grant.Id} by {actor}: {grant.Action} on {grant.Resource} until {GrantPolicy.FormatExpiry(grant.ExpiresAt)}; reason: {grant.Reason}",
        };
        await session.Get<IReviewRepository>().InsertAsync(campaign, [item], cancellationToken).ConfigureAwait(false);
        await audit.RecordAsync(
            session,
            new AuditEvent
            {
                Type = "review.started",
                Actor = actor,
                Action = "start",
                Resource = "review:" + campaign.Id,
                RequestId = requestId,
                Details = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["campaign"] = campaign.Id,
                    ["scope"] = "owner",
                    ["owner"] = grant.IdentityOwner,
                    ["due"] = AuditCanonicalForm.FormatTime(campaign.Due),
                    ["items"] = "1",
                    ["origin"] = campaign.Origin,
                    ["exception_id"] = grant.Id,
                },
            },
            cancellationToken).ConfigureAwait(false);
    }

    private static AuditEvent AlertEvent(DetectionAlert alert, AccessGrant grant) => new()
    {
        Type = "detection.alert",
        Actor = DetectionResponder.Actor,
        Subject = alert.Identity,
        Action = alert.Rule,
        Reason = alert.Summary,
        Details = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["alert_id"] = alert.Id,
            ["rule"] = alert.Rule,
            ["severity"] = alert.Severity,
            ["evidence"] = string.Join(' ', alert.Evidence.Select(s => s.ToString(CultureInfo.InvariantCulture))),
            ["responses"] = string.Join(',', alert.Response.Actions),
            ["exception_id"] = grant.Id,
        },
    };

    private static AuditEvent Event(string type, AccessGrant grant, string actor, string action, string? requestId, string? reason, Dictionary<string, string>? extra = null)
    {
        var details = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["exception_id"] = grant.Id,
            ["exception_kind"] = grant.Kind,
            ["status"] = grant.Status,
            ["identity_kind"] = grant.IdentityKind,
            ["identity_owner"] = grant.IdentityOwner,
            ["ttl_seconds"] = ((long)grant.Ttl.TotalSeconds).ToString(CultureInfo.InvariantCulture),
            ["expires"] = AuditCanonicalForm.FormatTime(grant.ExpiresAt),
            ["requested_by"] = grant.RequestedBy,
        };
        if (grant.DecidedBy is { } decidedBy)
        {
            details["decided_by"] = decidedBy;
        }

        if (extra is not null)
        {
            foreach (var (key, value) in extra)
            {
                details[key] = value;
            }
        }

        return new AuditEvent
        {
            Type = type,
            Actor = actor,
            Subject = grant.Principal,
            Action = action,
            Resource = grant.Resource,
            Reason = reason,
            RequestId = requestId,
            Details = details,
        };
    }

    private async Task<(AccessGrant? Grant, GrantError? Error)> FindAsync(string id, CancellationToken cancellationToken)
    {
        var grant = string.IsNullOrEmpty(id) || id.Length > 64 ? null : await GetAsync(id, cancellationToken).ConfigureAwait(false);
        return grant is null ? (null, new GrantError(GrantErrorCodes.NotFound, $"No exception or break-glass grant {id}.")) : (grant, null);
    }

    private static GrantError NotPending(AccessGrant grant, DateTimeOffset now) =>
        new(GrantErrorCodes.Conflict, grant.Kind != GrantKinds.Exception
            ? $"{grant.Id} is a break-glass grant: it is never approved."
            : grant.Status == GrantStatuses.Pending && grant.ExpiresAt <= now
                ? $"The exception request {grant.Id} lapsed at {GrantPolicy.FormatExpiry(grant.ExpiresAt)}: nobody approved it within its TTL."
                : $"The exception {grant.Id} is {grant.Status}, not pending.");

    private static GrantError? ReasonProblem(string? reason) =>
        string.IsNullOrWhiteSpace(reason) || reason.Trim().Length > MaxReasonLength
            ? Invalid($"reason: required (at most {MaxReasonLength} characters): it goes in the ledger.")
            : null;

    private static GrantError Invalid(string message) => new(GrantErrorCodes.Invalid, message);

    private static EntityUid Uid(string text) =>
        GrantPolicy.ParseEntity(text, "stored", out _) ?? throw new InvalidOperationException("A stored grant entity does not parse.");

    private static string Format(TimeSpan span) => span.ToString("c", CultureInfo.InvariantCulture);

    // Millisecond precision, as stored: what a caller is answered is what they read back.
    private DateTimeOffset Now() => DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds());
}
