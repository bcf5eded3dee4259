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

    public bool Shared => true;

    public async Task ListenAsync(string channel, Func<string, Task> onPayload, Func<Task> onListening, Action onAlive, TimeSpan heartbeat, CancellationToken cancellationToken)
    {
        try
        {
            await ListenCoreAsync(channel, onPayload, onListening, onAlive, heartbeat, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StoreFaults.Translate(dialect, ex, cancellationToken) is { } store)
        {
            throw store;
        }
    }

    private async Task ListenCoreAsync(string channel, Func<string, Task> onPayload, Func<Task> onListening, Action onAlive, TimeSpan heartbeat, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onPayload);
        ArgumentNullException.ThrowIfNull(onListening);
        ArgumentNullException.ThrowIfNull(onAlive);
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
        var listenSql = $"LISTEN \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
        var listen = new NpgsqlCommand(listenSql, connection);
        await using (listen.ConfigureAwait(false))
        {
            await listen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await onListening().ConfigureAwait(false);

        // A connection that silently stopped answering (a dropped network path, a frozen server) would keep a plain
        // WAIT quiet for ever: after a heartbeat without announcements a round trip proves the connection alive, within
        // a command timeout, or fails it so the caller reconnects and catches up. The round trip repeats the LISTEN (a
        // no-op), so the connection keeps showing what it is for in pg_stat_activity.
        var timeout = (int)Math.Max(1, Math.Ceiling(heartbeat.TotalSeconds * 2));
        while (true)
        {
            if (!await connection.WaitAsync(heartbeat, cancellationToken).ConfigureAwait(false))
            {
                var ping = new NpgsqlCommand(listenSql, connection) { CommandTimeout = timeout };
                await using (ping.ConfigureAwait(false))
                {
                    await ping.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            onAlive();
            var batch = received.ToArray();
            received.Clear();
            foreach (var payload in batch)
            {
                await onPayload(payload).ConfigureAwait(false);
            }
        }
    }
}
