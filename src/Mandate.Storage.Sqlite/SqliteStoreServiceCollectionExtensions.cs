using Mandate.Core.Storage;
using Mandate.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of the embedded SQLite store.</summary>
public static class SqliteStoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers a <see cref="SqliteStore"/> on the file <paramref name="path"/> as the <see cref="IMandateStore"/>
    /// (its busy timeout from <see cref="StoreOptions"/> when they are registered).
    /// A single node owns the file, so its <see cref="IStoreNotifications"/> announce nothing
    /// (<see cref="NoStoreNotifications"/>).
    /// </summary>
    public static MandateBuilder AddSqliteStore(this MandateBuilder builder, string path)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(path);
        builder.Services.TryAddSingleton<IMandateStore>(sp => new SqliteStore(path, sp.GetService<IOptions<StoreOptions>>()?.Value.BusyTimeout));
        builder.Services.TryAddSingleton<IStoreNotifications, NoStoreNotifications>();
        builder.Services.TryAddSingleton<IStoreLeaderLock, SingleNodeLeaderLock>();
        return builder;
    }
}
