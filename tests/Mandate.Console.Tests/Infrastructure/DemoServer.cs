namespace Mandate.Console.Tests.Infrastructure;

/// <summary>One demo server shared by the tests of a class that only read (each test signs in its own browser context).</summary>
public sealed class DemoServer : IAsyncLifetime
{
    internal ConsoleTestServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Server = await ConsoleTestServer.StartAsync();

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}
