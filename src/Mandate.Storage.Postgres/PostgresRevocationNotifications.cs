using Mandate.Core.Credentials;
using Mandate.Core.Storage;
using Mandate.Storage.Relational;
using Mandate.Storage.Relational.Repositories;
using Npgsql;

namespace Mandate.Storage.Postgres;

/// <summary>LISTENs on the revocation channel of a PostgreSQL store on a dedicated connection.</summary>
public sealed class PostgresRevocationNotifications : IRevocationNotifications
{
    private readonly NpgsqlDataSource dataSource;

    private PostgresRevocationNotifications(NpgsqlDataSource dataSource) => this.dataSource = dataSource;

    /// <summary>The listener for <paramref name="store"/>, or null when it is not a PostgreSQL store.</summary>
    public static PostgresRevocationNotifications? For(IMandateStore store) =>
        store is RelationalStore { Dialect: PostgresDialect dialect } ? new PostgresRevocationNotifications(dialect.DataSource) : null;

    public Task ListenAsync(Func<string, Task> onPayload, Action onListening, CancellationToken cancellationToken) =>
        PostgresNotificationListener.ListenAsync(dataSource, CredentialRepository.NotificationChannelPrefix, onPayload, onListening, cancellationToken);
}
