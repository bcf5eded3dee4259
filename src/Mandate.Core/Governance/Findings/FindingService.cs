using Mandate.Core.Audit;
using Mandate.Core.Governance.Inventory;
using Mandate.Core.Identity.Inventory;
using Mandate.Core.Operators;
using Mandate.Core.Storage;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Governance.Findings;

/// <summary>
/// Computes findings from the inventory and keeps them: a new one opens, one whose condition cleared resolves itself,
/// one that comes back reopens; every status change is a ledger event (<c>finding.opened</c>, <c>finding.resolved</c>,
/// <c>finding.reopened</c>) in the transaction that makes it.
/// </summary>
internal sealed class FindingService(IMandateStore store, IAuditTrail audit, IOptions<GovernanceOptions> options, TimeProvider time)
{
    private const int Page = 10_000;
    private const int MaxReasonLength = 1000;
    private static readonly TimeSpan MaxAcceptance = TimeSpan.FromDays(365);

    private readonly SemaphoreSlim gate = new(1, 1);

    public async Task<FindingRecompute> RecomputeAsync(string actor, string? requestId, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds());
            var entries = new List<InventoryEntry>();
            (string, string)? after = null;
            while (true)
            {
                var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
                await using (session.ConfigureAwait(false))
                {
                    var page = await session.Get<IInventoryRepository>().ListAsync(new InventoryQuery { After = after, Limit = Page }, cancellationToken).ConfigureAwait(false);
                    entries.AddRange(page);
                    if (page.Count < Page)
                    {
                        break;
                    }

                    after = (page[^1].Source, page[^1].ExternalId);
                }
            }

            var computed = FindingRules.Evaluate(entries, now, options.Value, await KnownOwnersAsync(cancellationToken).ConfigureAwait(false));
            var write = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
            await using var writeDisposal = write.ConfigureAwait(false);
            var repository = write.Get<IFindingRepository>();
            var stored = (await repository.ListAsync(new FindingQuery(), cancellationToken).ConfigureAwait(false)).ToDictionary(f => f.Id, StringComparer.Ordinal);
            var changes = new List<Finding>();
            int opened = 0, reopened = 0, resolved = 0;
            var present = new HashSet<string>(StringComparer.Ordinal);
            foreach (var finding in computed)
            {
                present.Add(finding.Id);
                if (!stored.TryGetValue(finding.Id, out var before))
                {
                    opened++;
                    var open = finding with { FirstSeen = now, LastSeen = now, Status = "open" };
                    changes.Add(open);
                    await RecordAsync(write, "finding.opened", open, actor, requestId, cancellationToken).ConfigureAwait(false);
                }
                else if (before.Status == "resolved")
                {
                    reopened++;
                    var again = finding with { FirstSeen = before.FirstSeen, LastSeen = now, Status = "open", ResolvedAt = null };
                    changes.Add(again);
                    await RecordAsync(write, "finding.reopened", again, actor, requestId, cancellationToken).ConfigureAwait(false);
                }
                else if (before.Status == "accepted" && before.AcceptedUntil is { } until && until <= now)
                {
                    // The acceptance ran out and the condition is still there.
                    reopened++;
                    var again = finding with { FirstSeen = before.FirstSeen, LastSeen = now, Status = "open" };
                    changes.Add(again);
                    await RecordAsync(write, "finding.reopened", again, actor, requestId, cancellationToken, "acceptance expired").ConfigureAwait(false);
                }
                else
                {
                    changes.Add(finding with
                    {
                        FirstSeen = before.FirstSeen,
                        LastSeen = now,
                        Status = before.Status,
                        AcceptedReason = before.AcceptedReason,
                        AcceptedBy = before.AcceptedBy,
                        AcceptedUntil = before.AcceptedUntil,
                    });
                }
            }

            foreach (var before in stored.Values.Where(f => f.Status != "resolved" && !present.Contains(f.Id)))
            {
                resolved++;
                var cleared = before with { Status = "resolved", ResolvedAt = now, AcceptedReason = null, AcceptedBy = null, AcceptedUntil = null };
                changes.Add(cleared);
                await RecordAsync(write, "finding.resolved", cleared, actor, requestId, cancellationToken).ConfigureAwait(false);
            }

            await repository.UpsertAsync(changes, cancellationToken).ConfigureAwait(false);
            await write.CommitAsync(cancellationToken).ConfigureAwait(false);
            return new FindingRecompute(entries.Count, computed.Count, opened, reopened, resolved, now);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// The owners Mandate knows: every enabled operator (by name and as <c>operator:NAME</c>) and every owner of a
    /// registered identity that is active or suspended (the teams Mandate already governs).
    /// </summary>
    private async Task<IReadOnlySet<string>> KnownOwnersAsync(CancellationToken cancellationToken)
    {
        var known = new HashSet<string>(StringComparer.Ordinal);
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        foreach (var account in await session.Get<IOperatorRepository>().ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (account.Enabled)
            {
                known.Add(account.Name);
                known.Add("operator:" + account.Name);
            }
        }

        var identities = session.Get<IIdentityRepository>();
        string? after = null;
        while (true)
        {
            var page = await identities.ListAsync(new IdentityQuery { After = after, Limit = 1000 }, cancellationToken).ConfigureAwait(false);
            foreach (var identity in page)
            {
                if (identity.Status is IdentityStatus.Active or IdentityStatus.Suspended)
                {
                    known.Add(identity.Owner);
                }
            }

            if (page.Count < 1000)
            {
                return known;
            }

            after = page[^1].SpiffeId;
        }
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
        audit.RecordAsync(
            session,
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
            },
            cancellationToken);
}
