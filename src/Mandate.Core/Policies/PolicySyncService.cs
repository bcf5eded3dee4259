using Microsoft.Extensions.Hosting;

namespace Mandate.Core.Policies;

/// <summary>Runs <see cref="PolicySync"/> for the life of the host.</summary>
internal sealed class PolicySyncService(PolicySync sync) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => sync.RunAsync(stoppingToken);
}
