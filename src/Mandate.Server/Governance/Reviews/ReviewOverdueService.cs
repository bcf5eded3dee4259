using Mandate.Core.Governance.Reviews;
using Mandate.Core.Hosting;

namespace Mandate.Server.Governance.Reviews;

/// <summary>
/// Every minute, reports the access reviews that passed their due time (<c>review.overdue</c> in the ledger, once each);
/// a leader job (<see cref="ClusterLeadership"/>): among nodes sharing a store only the leader reports.
/// </summary>
internal sealed class ReviewOverdueService(ReviewService reviews, ClusterLeadership leadership, TimeProvider time, BackgroundHealth health, ILogger<ReviewOverdueService> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);
    private readonly BackgroundLoop loop = new("governance-review-overdue", health, time, logger);

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        health.Started(loop.Name);
        return loop.RunPeriodicAsync(Interval, ct => leadership.RunIfLeaderAsync(loop.Name, reviews.ReportOverdueAsync, ct), stoppingToken);
    }
}
