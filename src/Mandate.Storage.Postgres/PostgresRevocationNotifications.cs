using Mandate.Core.Credentials;
using Mandate.Core.Storage;
using Mandate.Storage.Relational;
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

    public async Task ListenAsync(Func<string, Task> onPayload, Action onListening, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onPayload);
        ArgumentNullException.ThrowIfNull(onListening);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        string channel;
        await using (var name = new NpgsqlCommand("SELECT @prefix || current_schema()", connection))
        {
            name.Parameters.AddWithValue("prefix", Relational.Repositories.CredentialRepository.NotificationChannelPrefix);
            channel = (string)(await name.ExecuteScalarAsync(cancellationToken))!;
        }

        var received = new List<string>();
        connection.Notification += (_, e) =>
        {
            if (e.Channel == channel)
            {
                received.Add(e.Payload);
            }
        };
        await using (var listen = new NpgsqlCommand($"LISTEN \"{channel.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection))
        {
            await listen.ExecuteNonQueryAsync(cancellationToken);
        }

        onListening();
        while (true)
        {
            await connection.WaitAsync(cancellationToken);
            var batch = received.ToArray();
            received.Clear();
            foreach (var payload in batch)
            {
                await onPayload(payload);
            }
        }
    }
}
