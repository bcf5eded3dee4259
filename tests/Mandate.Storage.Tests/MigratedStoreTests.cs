using Mandate.Core.Storage;

namespace Mandate.Storage.Tests;

/// <summary>A contract test class: each test gets a fresh, migrated store, which the subclass names (SQLite, PostgreSQL).</summary>
public abstract class MigratedStoreTests : IAsyncLifetime
{
    private protected IMandateStore Store { get; private set; } = null!;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    private protected abstract Task<IMandateStore> CreateStoreAsync();

    public virtual async ValueTask InitializeAsync()
    {
        Store = await CreateStoreAsync();
        await Store.MigrateAsync(Ct);
    }

    public virtual async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
