using Mandate.Core.Governance.Findings;
using Mandate.Core.Hosting;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Governance;

/// <summary>
/// Recomputes findings every <c>Mandate:Governance:RecomputeInterval</c>, so they resolve and reopen as time passes; a
/// leader job (<see cref="ClusterLeadership"/>): among nodes sharing a store only the leader recomputes.
/// </summary>
internal sealed class FindingRecomputeService(
    FindingService findings,
    ClusterLeadership leadership,
    IOptions<GovernanceOptions> options,
    TimeProvider time,
    BackgroundHealth health,
    ILogger<FindingRecomputeService> logger) : BackgroundService
{
    private readonly BackgroundLoop loop = new("governance-findings", health, time, logger);

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        health.Started(loop.Name);
        return loop.RunPeriodicAsync(options.Value.RecomputeInterval, ct => leadership.RunIfLeaderAsync(loop.Name, token => findings.RecomputeAsync("system", null, token), ct), stoppingToken);
    }
}
