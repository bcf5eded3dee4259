using Mandate.Core.Identity.Inventory;

namespace Mandate.Server.Identity;

/// <summary>Runs <see cref="IdentityDirectorySync"/> for the life of the host.</summary>
internal sealed class IdentityDirectorySyncService(IdentityDirectorySync sync) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => sync.RunAsync(stoppingToken);
}
