using Mandate.Core.Identity.Inventory;
using Mandate.Core.Storage;
using Mandate.Storage.Relational;
using Mandate.Storage.Relational.Repositories;
using Npgsql;

namespace Mandate.Storage.Postgres;

/// <summary>LISTENs on the identity-change channel of a PostgreSQL store on a dedicated connection.</summary>
public sealed class PostgresIdentityNotifications : IIdentityChangeNotifications
{
    private readonly NpgsqlDataSource dataSource;

    private PostgresIdentityNotifications(NpgsqlDataSource dataSource) => this.dataSource = dataSource;

    /// <summary>The listener for <paramref name="store"/>, or null when it is not a PostgreSQL store.</summary>
    public static PostgresIdentityNotifications? For(IMandateStore store) =>
        store is RelationalStore { Dialect: PostgresDialect dialect } ? new PostgresIdentityNotifications(dialect.DataSource) : null;

    public Task ListenAsync(Func<string, Task> onPayload, Action onListening, CancellationToken cancellationToken) =>
        PostgresNotificationListener.ListenAsync(dataSource, IdentityRepository.NotificationChannelPrefix, onPayload, onListening, cancellationToken);
}
