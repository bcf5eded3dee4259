using Npgsql;

namespace Mandate.Storage.Postgres;

/// <summary>
/// LISTENs on one channel of a PostgreSQL store (its name is a prefix plus the schema, so deployments sharing a
/// database do not hear each other) on a dedicated connection, handing each payload over in arrival order.
/// </summary>
internal static class PostgresNotificationListener
{
    /// <summary>Listens until cancelled; throws when the connection breaks (callers reconnect and reconcile).</summary>
    public static async Task ListenAsync(NpgsqlDataSource dataSource, string channelPrefix, Func<string, Task> onPayload, Action onListening, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onPayload);
        ArgumentNullException.ThrowIfNull(onListening);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        string channel;
        await using (var name = new NpgsqlCommand("SELECT @prefix || current_schema()", connection))
        {
            name.Parameters.AddWithValue("prefix", channelPrefix);
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
