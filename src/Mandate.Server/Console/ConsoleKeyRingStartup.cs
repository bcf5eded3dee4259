using Mandate.Server.Hosting;
using Microsoft.AspNetCore.DataProtection;

namespace Mandate.Server.Console;

/// <summary>
/// Loads the shared key ring at start, creating its first key when the store has none, so the first node up makes the
/// key and every node started after it uses that key rather than each making its own on its first sign-in.
/// </summary>
internal sealed class ConsoleKeyRingStartup(IDataProtectionProvider provider) : IStartupTask
{
    public int Order => 150;

    public Task RunAsync(CancellationToken cancellationToken)
    {
        _ = provider.CreateProtector("Mandate.Console.KeyRingStartup").Protect([1]);
        return Task.CompletedTask;
    }
}
