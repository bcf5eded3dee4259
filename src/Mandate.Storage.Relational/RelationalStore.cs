using System.Data.Common;
using Mandate.Core.Storage;

namespace Mandate.Storage.Relational;

/// <summary>The Core store contract over ADO.NET; SQLite and PostgreSQL differ only in their <see cref="SqlDialect"/>.</summary>
internal class RelationalStore(SqlDialect dialect) : IMandateStore
{
    private readonly Migrator migrator = new(dialect);

    public string Kind => dialect.Kind;

    internal SqlDialect Dialect => dialect;

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        try
        {
            await migrator.MigrateAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StoreFaults.Translate(dialect, ex, cancellationToken) is { } store)
        {
            throw store;
        }
    }

    public async Task<StoreStatus> CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await migrator.StatusAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (StoreException ex)
        {
            return StoreStatus.Unreachable(ex.Message);
        }
        catch (Exception ex) when (StoreFaults.Translate(dialect, ex, cancellationToken) is { } store)
        {
            return StoreStatus.Unreachable(store.Message);
        }
    }

    public async Task<IStoreSession> BeginAsync(StoreIntent intent, CancellationToken cancellationToken)
    {
        DbConnection? connection = null;
        try
        {
            connection = await dialect.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            var transaction = await dialect.BeginTransactionAsync(connection, intent, cancellationToken).ConfigureAwait(false);
            return new RelationalSession(dialect, connection, transaction);
        }
        catch (Exception ex)
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }

            if (StoreFaults.Translate(dialect, ex, cancellationToken) is { } store)
            {
                throw store;
            }

            throw;
        }
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            var connection = await dialect.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                await dialect.FlushAsync(connection, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (StoreFaults.Translate(dialect, ex, cancellationToken) is { } store)
        {
            throw store;
        }
    }

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
