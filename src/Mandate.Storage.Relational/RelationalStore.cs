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
        catch (Exception ex) when (ex is not StoreException && dialect.Describe(ex) is { } problem)
        {
            throw new StoreException(problem, ex);
        }
    }

    public async Task<StoreStatus> CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await migrator.StatusAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (dialect.Describe(ex) is { } problem)
        {
            return StoreStatus.Unreachable(problem);
        }
    }

    public async Task<IStoreSession> BeginAsync(StoreIntent intent, CancellationToken cancellationToken)
    {
        DbConnection? connection = null;
        try
        {
            connection = await dialect.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            var transaction = await dialect.BeginTransactionAsync(connection, intent == StoreIntent.Write, cancellationToken).ConfigureAwait(false);
            return new RelationalSession(dialect, connection, transaction);
        }
        catch (Exception ex)
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }

            if (ex is not StoreException && dialect.Describe(ex) is { } problem)
            {
                throw new StoreException(problem, ex);
            }

            throw;
        }
    }

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
