using Mandate.Core.Storage;
using Mandate.Server.Hosting;

namespace Mandate.Server.Storage;

internal sealed class StoreStartup(IMandateStore store, ILogger<StoreStartup> logger) : IStartupTask
{
    public int Order => 0;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await store.MigrateAsync(cancellationToken);
        var status = await store.CheckAsync(cancellationToken);
        if (!status.Ready)
        {
            throw new StoreException($"The {store.Kind} store is not ready after migration: {status.Problem}");
        }

        Log.StoreMigrated(logger, status.AppliedVersion);
    }
}
