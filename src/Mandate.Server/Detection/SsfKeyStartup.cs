using Mandate.Core.Detection.SharedSignals;
using Mandate.Server.Hosting;

namespace Mandate.Server.Detection;

/// <summary>Loads the Shared Signals transmitter's SET signing key, creating it on first start.</summary>
internal sealed class SsfKeyStartup(SsfSigningKey key) : IStartupTask
{
    // After the store is migrated and the key-encryption key is known (identity keys, 100).
    public int Order => 150;

    public Task RunAsync(CancellationToken cancellationToken) => key.InitializeAsync(cancellationToken);
}
