using Mandate.Core.Audit;
using Mandate.Core.Credentials;
using Mandate.Core.Detection;
using Mandate.Core.Governance.Findings;
using Mandate.Core.Identity.Inventory;
using Mandate.Core.Policies;
using Mandate.Core.Storage;
using Mandate.Core.Tasks;

namespace Mandate.Server.Console;

/// <summary>
/// Reads the overview through the same store contracts and Core services the API uses: grouped counts (never a listing
/// of identities), the open findings, the alerts of the last day, the ledger head and last checkpoint, the active policy
/// version, and the decisions of the last <see cref="ChartMinutes"/> minutes as the ledger recorded them.
/// </summary>
internal sealed class ConsoleOverviewReader(IMandateStore store, FindingService findings, ActivePolicySet policies, TimeProvider time)
{
    public const int ChartMinutes = 30;

    // Bounded reads: the overview must answer quickly however busy the estate is; the page says when a figure is capped.
    private const int MaxDecisionEvents = 20_000;
    private const int MaxAlerts = AlertQuery.MaxLimit;

    public async Task<ConsoleOverview> ReadAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        IReadOnlyList<IdentityCount> identities;
        long openTasks, liveCredentials;
        (long Sequence, string Hash)? head;
        AuditCheckpoint? checkpoint;
        IReadOnlyList<DetectionAlert> alerts;
        var minutes = new SortedDictionary<DateTimeOffset, (int Allow, int Deny)>();
        var chartStart = Minute(now).AddMinutes(-(ChartMinutes - 1));
        for (var m = chartStart; m <= now; m = m.AddMinutes(1))
        {
            minutes[m] = (0, 0);
        }

        var decisionsCapped = false;
        await using (var session = await store.BeginAsync(StoreIntent.Read, cancellationToken))
        {
            identities = await session.Get<IIdentityRepository>().CountByKindAndStatusAsync(cancellationToken);
            openTasks = await session.Get<ITaskRepository>().CountActiveAsync(now, cancellationToken);
            liveCredentials = await session.Get<ICredentialRepository>().CountLiveAsync(now, cancellationToken);
            var audit = session.Get<IAuditRepository>();
            head = await audit.GetHeadAsync(cancellationToken);
            checkpoint = await audit.GetLastCheckpointAsync(cancellationToken);
            alerts = await session.Get<IDetectionRepository>().QueryAlertsAsync(new AlertQuery { Since = now.AddDays(-1), Limit = MaxAlerts }, cancellationToken);

            var after = 0L;
            var read = 0;
            while (true)
            {
                var page = await audit.QueryAsync(new AuditQuery { Type = "decision", Since = chartStart, AfterSequence = after, Limit = AuditQuery.MaxLimit }, cancellationToken);
                foreach (var record in page)
                {
                    var minute = Minute(record.Time);
                    if (minutes.TryGetValue(minute, out var counts))
                    {
                        minutes[minute] = record.Event.Decision == "allow" ? (counts.Allow + 1, counts.Deny) : (counts.Allow, counts.Deny + 1);
                    }
                }

                read += page.Count;
                if (page.Count < AuditQuery.MaxLimit)
                {
                    break;
                }

                if (read >= MaxDecisionEvents)
                {
                    decisionsCapped = true;
                    break;
                }

                after = page[^1].Sequence;
            }
        }

        var open = await findings.ListAsync(new FindingQuery { Status = "open" }, cancellationToken);
        return new ConsoleOverview(
            identities,
            openTasks,
            liveCredentials,
            open.GroupBy(f => f.Severity, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
            alerts.GroupBy(a => a.Severity, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
            alerts.Count >= MaxAlerts,
            head?.Sequence ?? 0,
            checkpoint?.ToSequence,
            policies.Current.Version,
            minutes.Select(m => new DecisionMinute(m.Key, m.Value.Allow, m.Value.Deny)).ToList(),
            decisionsCapped);
    }

    private static DateTimeOffset Minute(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, utc.Minute, 0, TimeSpan.Zero);
    }
}
