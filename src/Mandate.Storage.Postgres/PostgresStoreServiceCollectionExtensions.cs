using Mandate.Core.Storage;
using Mandate.Storage.Postgres;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of the PostgreSQL store.</summary>
public static class PostgresStoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers a <see cref="PostgresStore"/> on <paramref name="connectionString"/> as the <see cref="IMandateStore"/>
    /// and its LISTEN/NOTIFY listener as the <see cref="IStoreNotifications"/>, so every node's in-memory views follow
    /// the others' commits, and its advisory lock as the <see cref="IStoreLeaderLock"/> that elects the cluster's leader.
    /// </summary>
    public static MandateBuilder AddPostgresStore(this MandateBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        builder.Services.TryAddSingleton<IMandateStore>(_ => new PostgresStore(connectionString));

        // The notifications of whichever store is registered: a host that replaced it with another kind gets none.
        builder.Services.TryAddSingleton<IStoreNotifications>(sp =>
            sp.GetRequiredService<IMandateStore>() is PostgresStore store ? new PostgresStoreNotifications(store) : new NoStoreNotifications());
        builder.Services.TryAddSingleton<IStoreLeaderLock>(sp =>
            sp.GetRequiredService<IMandateStore>() is PostgresStore store ? new PostgresLeaderLock(store) : new SingleNodeLeaderLock());
        return builder;
    }
}
