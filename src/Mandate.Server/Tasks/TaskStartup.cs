using Mandate.Core.Credentials;
using Mandate.Server.Hosting;

namespace Mandate.Server.Tasks;

/// <summary>Loads every revoked, unexpired credential into memory before the server takes traffic.</summary>
internal sealed class TaskStartup(RevocationSync sync) : IStartupTask
{
    public int Order => 200;

    public Task RunAsync(CancellationToken cancellationToken) => sync.FullReloadAsync(cancellationToken);
}
