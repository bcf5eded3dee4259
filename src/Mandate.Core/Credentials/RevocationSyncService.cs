using Microsoft.Extensions.Hosting;

namespace Mandate.Core.Credentials;

/// <summary>Runs <see cref="RevocationSync"/> for the life of the host.</summary>
internal sealed class RevocationSyncService(RevocationSync sync) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => sync.RunAsync(stoppingToken);
}
