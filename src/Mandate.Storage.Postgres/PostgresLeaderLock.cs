using Mandate.Core.Storage;
using Mandate.Storage.Relational;
using Npgsql;

namespace Mandate.Storage.Postgres;

/// <summary>
/// The leader lock of a PostgreSQL store: <c>pg_try_advisory_lock</c> on a dedicated connection, keyed by the schema
/// (deployments sharing a database elect their leaders apart). The lock belongs to the session, so when the leader's
/// process dies, or its connection is cut, PostgreSQL releases it and the next node to try takes it.
/// </summary>
internal sealed class PostgresLeaderLock : IStoreLeaderLock
{
    /// <summary>The first half of the two-part advisory key ("MAND"); the second is the hash of the schema's name.</summary>
    public const int KeySpace = 0x4D414E44;

    private readonly NpgsqlDataSource dataSource;
    private readonly SqlDialect dialect;
    private volatile int backendProcessId;

    public PostgresLeaderLock(PostgresStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        dataSource = store.DataSource;
        dialect = store.Dialect;
    }

    /// <summary>The PostgreSQL backend holding the lock for this node, or 0 while it holds none.</summary>
    public int BackendProcessId => backendProcessId;

    public async Task HoldAsync(Action onAcquired, TimeSpan checkInterval, CancellationToken cancellationToken)
    {
        try
        {
            await HoldCoreAsync(onAcquired, checkInterval, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StoreFaults.Translate(dialect, ex, cancellationToken) is { } store)
        {
            throw store;
        }
        finally
        {
            backendProcessId = 0;
        }
    }

    private async Task HoldCoreAsync(Action onAcquired, TimeSpan checkInterval, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onAcquired);
        var timeout = (int)Math.Max(1, Math.Ceiling(checkInterval.TotalSeconds * 2));
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionDisposal = connection.ConfigureAwait(false);
        var acquired = false;
        try
        {
            while (!await RunAsync(connection, "SELECT pg_try_advisory_lock(@space, hashtext(current_schema()))", timeout, cancellationToken).ConfigureAwait(false))
            {
                await Task.Delay(checkInterval, cancellationToken).ConfigureAwait(false);
            }

            acquired = true;
            backendProcessId = connection.ProcessID;
            onAcquired();
            while (true)
            {
                await Task.Delay(checkInterval, cancellationToken).ConfigureAwait(false);
                await RunAsync(connection, "SELECT true", timeout, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (acquired && connection.State == System.Data.ConnectionState.Open)
            {
                // A pooled connection goes back to the pool: it must not keep the lock there.
                try
                {
                    await RunAsync(connection, "SELECT pg_advisory_unlock(@space, hashtext(current_schema()))", timeout, CancellationToken.None).ConfigureAwait(false);
                }
                catch (NpgsqlException)
                {
                    // The connection is going anyway; with it, the session and its lock.
                }
            }
        }
    }

    private static async Task<bool> RunAsync(NpgsqlConnection connection, string sql, int timeout, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(sql, connection) { CommandTimeout = timeout };
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.AddWithValue("space", KeySpace);
            return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
    }
}
