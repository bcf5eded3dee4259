using Mandate.Core.Audit;
using Mandate.Core.Governance.Inventory;
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

            var computed = FindingRules.Evaluate(entries, now, options.Value);
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
                else
                {
                    changes.Add(finding with { FirstSeen = before.FirstSeen, LastSeen = now, Status = before.Status });
                }
            }

            foreach (var before in stored.Values.Where(f => f.Status == "open" && !present.Contains(f.Id)))
            {
                resolved++;
                var cleared = before with { Status = "resolved", ResolvedAt = now };
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

    public async Task<IReadOnlyList<Finding>> ListAsync(FindingQuery query, CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        return await session.Get<IFindingRepository>().ListAsync(query, cancellationToken).ConfigureAwait(false);
    }

    private Task<AuditRecord> RecordAsync(IStoreSession session, string type, Finding finding, string actor, string? requestId, CancellationToken cancellationToken) =>
        audit.RecordAsync(
            session,
            new AuditEvent
            {
                Type = type,
                Actor = actor,
                Subject = finding.Identity,
                Action = type["finding.".Length..],
                RequestId = requestId,
                Details = new Dictionary<string, string>
                {
                    ["finding"] = finding.Id,
                    ["kind"] = finding.Kind,
                    ["severity"] = finding.Severity,
                    ["source"] = finding.Source,
                },
            },
            cancellationToken);
}
