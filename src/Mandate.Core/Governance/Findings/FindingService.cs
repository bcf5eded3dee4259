using Mandate.Core.Audit;
using Mandate.Core.Governance.Inventory;
using Mandate.Core.Governance.Offboarding;
using Mandate.Core.Operators;
using Mandate.Core.Policies;
using Mandate.Core.Storage;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Governance.Findings;

/// <summary>
/// Computes findings — from the imported inventory, Mandate's registered identities and their credentials, the ledger's
/// record of use and the active policies — and keeps them: a new one opens, one whose condition cleared resolves
/// itself, one that comes back (or whose acceptance ran out) reopens; every status change is a ledger event
/// (<c>finding.opened</c>, <c>finding.resolved</c>, <c>finding.reopened</c>) in the transaction that makes it.
/// </summary>
/// <remarks>
/// Set-based and incremental where it costs: each input is read in one or two scans (no per-identity round trip);
/// the ledger is folded into <c>governance_usage</c> from a cursor, so only records appended since the last run are
/// read; a stored finding is rewritten only when its content digest changed, and the ledger events of a run are
/// chained in one batch.
/// </remarks>
internal sealed class FindingService(IMandateStore store, IAuditTrail audit, IOptions<GovernanceOptions> options, TimeProvider time, ActivePolicySet? policies = null)
{
    private const int MaxReasonLength = 1000;
    private const long FoldBatch = 200_000;
    private static readonly TimeSpan MaxAcceptance = TimeSpan.FromDays(365);

    private readonly SemaphoreSlim gate = new(1, 1);

    public async Task<FindingRecompute> RecomputeAsync(string actor, string? requestId, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds());
            await FoldUsageAsync(now, cancellationToken).ConfigureAwait(false);

            IReadOnlyList<InventoryEntry> entries;
            IReadOnlyList<RegisteredIdentityFacts> registered;
            IReadOnlyList<IdentityUsage> usage;
            IReadOnlyList<OperatorAccount> operators;
            IReadOnlyList<DepartedOwner> offboarded;
            var read = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
            await using (read.ConfigureAwait(false))
            {
                entries = await read.Get<IInventoryRepository>().ReadAllAsync(cancellationToken).ConfigureAwait(false);
                var facts = read.Get<IGovernanceFactsRepository>();
                registered = await facts.ReadRegisteredAsync(now, cancellationToken).ConfigureAwait(false);
                usage = await facts.ReadUsageAsync(cancellationToken).ConfigureAwait(false);
                operators = await read.Get<IOperatorRepository>().ListAsync(cancellationToken).ConfigureAwait(false);
                var owners = entries.Select(e => e.Owner).Concat(registered.Select(r => r.Owner)).OfType<string>().ToHashSet(StringComparer.Ordinal);
                offboarded = owners.Count == 0 ? [] : await read.Get<IOffboardingRepository>().GetDepartedAsync(owners, cancellationToken).ConfigureAwait(false);
            }

            // An offboarded owner has left even when its name is still an enabled operator's or an identity's owner.
            var departed = DepartedOwners(operators);
            departed.UnionWith(offboarded.Select(d => d.Owner));
            var knownOwners = KnownOwners(operators, registered);
            knownOwners.ExceptWith(departed);

            var settings = options.Value;
            var computed = FindingRules.Evaluate(entries, now, settings, knownOwners, departed);
            var lastUse = new Dictionary<string, IdentityUsage>(StringComparer.Ordinal);
            var byGrant = new Dictionary<(string, string, string), IdentityUsage>();
            foreach (var use in usage)
            {
                if (!lastUse.TryGetValue(use.Subject, out var known) || use.LastSequence > known.LastSequence)
                {
                    lastUse[use.Subject] = use;
                }

                if (use.Action.Length > 0)
                {
                    byGrant[(use.Subject, use.Action, use.ResourceType)] = use;
                }
            }

            computed.AddRange(RegisteredFindingRules.Evaluate(registered, lastUse, departed, now, settings));
            if (policies?.Current is { } snapshot)
            {
                var registeredById = registered.ToDictionary(r => r.SpiffeId, StringComparer.Ordinal);
                computed.AddRange(PolicyFindingRules.BroadPolicies(snapshot.Policies, snapshot.Schema, snapshot.DisplayIds, new WriteLikeActions(settings), registeredById));
                computed.AddRange(PolicyFindingRules.UnusedGrants(snapshot.Policies, snapshot.Schema, snapshot.Entities, snapshot.DisplayIds, registered, byGrant, now, settings));
            }

            return await StoreAsync(computed, entries.Count + registered.Count, now, actor, requestId, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    // Folds the ledger appended since the last run into the usage table, a bounded slice per transaction.
    private async Task FoldUsageAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        while (true)
        {
            var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
            await using var sessionDisposal = session.ConfigureAwait(false);
            var moved = await session.Get<IGovernanceFactsRepository>().FoldUsageAsync(FoldBatch, now, cancellationToken).ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
            if (moved < FoldBatch)
            {
                return;
            }
        }
    }

    private async Task<FindingRecompute> StoreAsync(List<Finding> computed, int identities, DateTimeOffset now, string actor, string? requestId, CancellationToken cancellationToken)
    {
        // The comparison runs in a read session: the write transaction (which holds SQLite's only writer) opens only
        // when something changed, and only for the writes.
        Dictionary<string, FindingState> stored;
        var changes = new List<Finding>();
        var added = new List<Finding>();
        var events = new List<(string Type, string? Reason, Finding Finding)>();
        int opened = 0, reopened = 0;
        var present = new HashSet<string>(StringComparer.Ordinal);
        var read = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        try
        {
            var reader = read.Get<IFindingRepository>();
            stored = (await reader.ListStatesAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(f => f.Id, StringComparer.Ordinal);
            foreach (var finding in computed)
            {
                if (!present.Add(finding.Id))
                {
                    continue;
                }

                if (!stored.TryGetValue(finding.Id, out var before))
                {
                    // Written as opened now (InsertOpenedAsync); the event names only what the rules gave.
                    opened++;
                    added.Add(finding);
                    events.Add(("finding.opened", null, finding));
                }
                else if (before.Status == "resolved")
                {
                    reopened++;
                    var again = finding with { FirstSeen = before.FirstSeen, LastSeen = now, Status = "open", ResolvedAt = null };
                    changes.Add(again);
                    events.Add(("finding.reopened", null, again));
                }
                else if (before.Status == "accepted" && before.AcceptedUntil is { } until && until <= now)
                {
                    // The acceptance ran out and the condition is still there.
                    reopened++;
                    var again = finding with { FirstSeen = before.FirstSeen, LastSeen = now, Status = "open" };
                    changes.Add(again);
                    events.Add(("finding.reopened", "acceptance expired", again));
                }
                else if (before.Digest != FindingDigest.Of(finding))
                {
                    // Same finding, new content (another owner, newer evidence): rewritten, its status and acceptance kept.
                    var accepted = before.Status == "accepted";
                    changes.Add(finding with
                    {
                        FirstSeen = before.FirstSeen,
                        LastSeen = now,
                        Status = before.Status,
                        AcceptedReason = accepted ? before.AcceptedReason : null,
                        AcceptedBy = accepted ? before.AcceptedBy : null,
                        AcceptedUntil = accepted ? before.AcceptedUntil : null,
                    });
                }
            }
        }
        finally
        {
            await read.DisposeAsync().ConfigureAwait(false);
        }

        var cleared = stored.Values.Where(f => f.Status != "resolved" && !present.Contains(f.Id)).Select(f => f.Id).ToList();
        if (added.Count + changes.Count + cleared.Count == 0)
        {
            return new FindingRecompute(identities, present.Count, 0, 0, 0, now);
        }

        var write = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using var writeDisposal = write.ConfigureAwait(false);
        var repository = write.Get<IFindingRepository>();
        if (cleared.Count > 0)
        {
            foreach (var id in cleared)
            {
                var gone = stored[id];
                events.Add(("finding.resolved", null, new Finding
                {
                    Id = gone.Id,
                    Kind = gone.Kind,
                    Severity = gone.Severity,
                    Source = gone.Source,
                    Identity = gone.Identity,
                    Summary = "",
                    Evidence = [],
                    Remediation = "",
                }));
            }

            await repository.ResolveAsync(cleared, now, cancellationToken).ConfigureAwait(false);
        }

        // The ledger events are grouped, chained and hashed on another core while this one writes the findings.
        await audit.RecordManyAlongsideAsync(
            write,
            () => GroupedEvents(events, actor, requestId),
            async () =>
            {
                await repository.InsertOpenedAsync(added, now, cancellationToken).ConfigureAwait(false);
                await repository.UpsertAsync(changes, cancellationToken).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        await write.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new FindingRecompute(identities, present.Count, opened, reopened, cleared.Count, now);
    }

    /// <summary>
    /// One ledger event per identity and change: the status changes a run makes to one identity's findings share an
    /// event whose <c>details.finding</c> and <c>details.kind</c> list them (space-separated, in the same order), so an
    /// estate whose every identity changes costs one record per identity, not one per finding.
    /// </summary>
    private static List<AuditEvent> GroupedEvents(List<(string Type, string? Reason, Finding Finding)> events, string actor, string? requestId)
    {
        var grouped = new List<AuditEvent>();
        foreach (var group in events.GroupBy(e => (e.Type, e.Reason, e.Finding.Source, e.Finding.Identity)))
        {
            var findings = group.Select(e => e.Finding).ToList();
            grouped.Add(new AuditEvent
            {
                Type = group.Key.Type,
                Actor = actor,
                Subject = group.Key.Identity,
                Action = group.Key.Type["finding.".Length..],
                RequestId = requestId,
                Reason = group.Key.Reason,
                Details = new Dictionary<string, string>
                {
                    ["finding"] = string.Join(' ', findings.Select(f => f.Id)),
                    ["kind"] = string.Join(' ', findings.Select(f => f.Kind)),
                    ["severity"] = string.Join(' ', findings.Select(f => f.Severity)),
                    ["source"] = group.Key.Source,
                },
            });
        }

        return grouped;
    }

    /// <summary>
    /// The owners Mandate knows: every enabled operator (by name and as <c>operator:NAME</c>) and every owner of a
    /// registered identity that is active or suspended (the teams Mandate already governs).
    /// </summary>
    private static HashSet<string> KnownOwners(IReadOnlyList<OperatorAccount> operators, IReadOnlyList<RegisteredIdentityFacts> registered)
    {
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var account in operators.Where(o => o.Enabled))
        {
            known.Add(account.Name);
            known.Add("operator:" + account.Name);
        }

        foreach (var identity in registered.Where(r => r.Status is "active" or "suspended"))
        {
            known.Add(identity.Owner);
        }

        return known;
    }

    /// <summary>Owners known to have left: disabled operators, by name and as <c>operator:NAME</c> (offboarded owners are added by the caller).</summary>
    private static HashSet<string> DepartedOwners(IReadOnlyList<OperatorAccount> operators)
    {
        var departed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var account in operators.Where(o => !o.Enabled))
        {
            departed.Add(account.Name);
            departed.Add("operator:" + account.Name);
        }

        return departed;
    }

    public async Task<IReadOnlyList<Finding>> ListAsync(FindingQuery query, CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        return await session.Get<IFindingRepository>().ListAsync(query, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Accepts an open (or already accepted) finding until <paramref name="until"/>, with a reason; it reopens at the
    /// first recompute after that time if its condition still holds.
    /// </summary>
    public async Task<(Finding? Finding, FindingAcceptError? Error)> AcceptAsync(string id, string? reason, DateTimeOffset until, string actor, string? requestId, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds());
        var trimmed = reason?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > MaxReasonLength || trimmed.Any(char.IsControl))
        {
            return (null, FindingAcceptError.Invalid($"reason: required, at most {MaxReasonLength} printable characters."));
        }

        if (until <= now || until > now + MaxAcceptance)
        {
            return (null, FindingAcceptError.Invalid($"until: a time in the future, at most {(int)MaxAcceptance.TotalDays} days from now."));
        }

        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
            await using var sessionDisposal = session.ConfigureAwait(false);
            var repository = session.Get<IFindingRepository>();
            var found = (await repository.ListAsync(new FindingQuery { Id = id }, cancellationToken).ConfigureAwait(false)).SingleOrDefault();
            if (found is null)
            {
                return (null, FindingAcceptError.Unknown($"No finding {id}."));
            }

            if (found.Status == "resolved")
            {
                return (null, FindingAcceptError.Resolved($"The finding {id} is resolved; there is nothing to accept."));
            }

            var accepted = found with { Status = "accepted", AcceptedReason = trimmed, AcceptedBy = actor, AcceptedUntil = DateTimeOffset.FromUnixTimeMilliseconds(until.ToUnixTimeMilliseconds()) };
            await repository.UpsertAsync([accepted], cancellationToken).ConfigureAwait(false);
            await RecordAsync(session, "finding.accepted", accepted, actor, requestId, cancellationToken, trimmed, accepted.AcceptedUntil).ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
            return (accepted, null);
        }
        finally
        {
            gate.Release();
        }
    }

    private Task<AuditRecord> RecordAsync(IStoreSession session, string type, Finding finding, string actor, string? requestId, CancellationToken cancellationToken, string? reason = null, DateTimeOffset? until = null) =>
        audit.RecordAsync(session, Event(type, finding, actor, requestId, reason, until), cancellationToken);

    private static AuditEvent Event(string type, Finding finding, string actor, string? requestId, string? reason = null, DateTimeOffset? until = null) =>
            new AuditEvent
            {
                Type = type,
                Actor = actor,
                Subject = finding.Identity,
                Action = type["finding.".Length..],
                RequestId = requestId,
                Reason = reason,
                Details = until is { } u
                    ? new Dictionary<string, string>
                    {
                        ["finding"] = finding.Id,
                        ["kind"] = finding.Kind,
                        ["severity"] = finding.Severity,
                        ["source"] = finding.Source,
                        ["until"] = u.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                    }
                    : new Dictionary<string, string>
                    {
                        ["finding"] = finding.Id,
                        ["kind"] = finding.Kind,
                        ["severity"] = finding.Severity,
                        ["source"] = finding.Source,
                    },
            };
}
