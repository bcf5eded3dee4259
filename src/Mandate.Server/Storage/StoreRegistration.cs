using Mandate.Core.Storage;
using Mandate.Server.Hosting;
using Mandate.Server.Storage;
using Mandate.Storage.Postgres;
using Mandate.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The one place that turns a <see cref="StoreLocation"/> into a store: registered for the server, opened for the CLI.</summary>
internal static class StoreRegistration
{
    /// <summary>
    /// Registers the store named by <paramref name="location"/> (<c>AddSqliteStore</c> or <c>AddPostgresStore</c>)
    /// and its migration at start.
    /// </summary>
    public static MandateBuilder AddStore(this MandateBuilder builder, StoreLocation location)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(location);
        builder.Services.AddOptions<StoreOptions>().BindConfiguration(StoreOptions.SectionName).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StoreOptions>, StoreOptionsValidator>());
        _ = location.Kind switch
        {
            StoreKind.Sqlite => builder.AddSqliteStore(location.Target),
            StoreKind.Postgres => builder.AddPostgresStore(location.Target),
            _ => throw new ArgumentOutOfRangeException(nameof(location)),
        };
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupTask, StoreStartup>());
        return builder;
    }

    /// <summary>Opens the store named by a location outside a container (the CLI's offline commands); the caller disposes it.</summary>
    public static IMandateStore Open(StoreLocation location)
    {
        ArgumentNullException.ThrowIfNull(location);
        return location.Kind switch
        {
            StoreKind.Sqlite => new SqliteStore(location.Target),
            StoreKind.Postgres => new PostgresStore(location.Target),
            _ => throw new ArgumentOutOfRangeException(nameof(location)),
        };
    }
}
