using Mandate.Core.Storage;
using Mandate.Storage.Relational;
using Npgsql;

namespace Mandate.Storage.Postgres;

/// <summary>
/// LISTENs on a channel of a PostgreSQL store on a dedicated connection. The channel's name is the
/// <see cref="StoreChannels"/> prefix plus the schema, so deployments sharing a database do not hear each other.
/// </summary>
internal sealed class PostgresStoreNotifications : IStoreNotifications
{
    private readonly NpgsqlDataSource dataSource;
    private readonly SqlDialect dialect;

    /// <summary>Listens on the database and schema of <paramref name="store"/>.</summary>
    public PostgresStoreNotifications(PostgresStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        dataSource = store.DataSource;
        dialect = store.Dialect;
    }

    public async Task ListenAsync(string channel, Func<string, Task> onPayload, Action onListening, CancellationToken cancellationToken)
    {
        try
        {
            await ListenCoreAsync(channel, onPayload, onListening, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StoreFaults.Translate(dialect, ex, cancellationToken) is { } store)
        {
            throw store;
        }
    }

    private async Task ListenCoreAsync(string channel, Func<string, Task> onPayload, Action onListening, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onPayload);
        ArgumentNullException.ThrowIfNull(onListening);
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionDisposal = connection.ConfigureAwait(false);
        string name;
        var command = new NpgsqlCommand("SELECT @prefix || current_schema()", connection);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.AddWithValue("prefix", channel);
            name = (string)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        var received = new List<string>();
        connection.Notification += (_, e) =>
        {
            if (e.Channel == name)
            {
                received.Add(e.Payload);
            }
        };
        var listen = new NpgsqlCommand($"LISTEN \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
        await using (listen.ConfigureAwait(false))
        {
            await listen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        onListening();
        while (true)
        {
            await connection.WaitAsync(cancellationToken).ConfigureAwait(false);
            var batch = received.ToArray();
            received.Clear();
            foreach (var payload in batch)
            {
                await onPayload(payload).ConfigureAwait(false);
            }
        }
    }
}
