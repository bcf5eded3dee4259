using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;

namespace Mandate.Storage.Relational;

/// <summary>
/// A driver command whose failures surface as <see cref="Mandate.Core.Storage.StoreException"/> (through
/// <see cref="StoreFaults"/>); the readers it returns do the same for every row read.
/// </summary>
internal sealed class StoreCommand(SqlDialect dialect, DbCommand inner) : DbCommand
{
    [AllowNull]
    public override string CommandText
    {
        get => inner.CommandText;
        set => inner.CommandText = value;
    }

    public override int CommandTimeout
    {
        get => inner.CommandTimeout;
        set => inner.CommandTimeout = value;
    }

    public override CommandType CommandType
    {
        get => inner.CommandType;
        set => inner.CommandType = value;
    }

    public override bool DesignTimeVisible
    {
        get => inner.DesignTimeVisible;
        set => inner.DesignTimeVisible = value;
    }

    public override UpdateRowSource UpdatedRowSource
    {
        get => inner.UpdatedRowSource;
        set => inner.UpdatedRowSource = value;
    }

    protected override DbConnection? DbConnection
    {
        get => inner.Connection;
        set => inner.Connection = value;
    }

    protected override DbParameterCollection DbParameterCollection => inner.Parameters;

    protected override DbTransaction? DbTransaction
    {
        get => inner.Transaction;
        set => inner.Transaction = value;
    }

    public override void Cancel() => inner.Cancel();

    public override int ExecuteNonQuery()
    {
        try
        {
            dialect.EnsureUsable(inner.Connection);
            return inner.ExecuteNonQuery();
        }
        catch (Exception ex) when (StoreFaults.Translate(dialect, ex) is { } store)
        {
            throw store;
        }
    }

    public override object? ExecuteScalar()
    {
        try
        {
            dialect.EnsureUsable(inner.Connection);
            return inner.ExecuteScalar();
        }
        catch (Exception ex) when (StoreFaults.Translate(dialect, ex) is { } store)
        {
            throw store;
        }
    }

    public override async Task<int> ExecuteNonQueryAsync(CancellationToken cancellationToken)
    {
        try
        {
            dialect.EnsureUsable(inner.Connection);
            return await inner.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StoreFaults.Translate(dialect, ex, cancellationToken) is { } store)
        {
            throw store;
        }
    }

    public override async Task<object?> ExecuteScalarAsync(CancellationToken cancellationToken)
    {
        try
        {
            dialect.EnsureUsable(inner.Connection);
            return await inner.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StoreFaults.Translate(dialect, ex, cancellationToken) is { } store)
        {
            throw store;
        }
    }

    public override void Prepare() => inner.Prepare();

    protected override DbParameter CreateDbParameter() => inner.CreateParameter();

    protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior)
    {
        try
        {
            dialect.EnsureUsable(inner.Connection);
            return new StoreDataReader(dialect, inner.ExecuteReader(behavior));
        }
        catch (Exception ex) when (StoreFaults.Translate(dialect, ex) is { } store)
        {
            throw store;
        }
    }

    protected override async Task<DbDataReader> ExecuteDbDataReaderAsync(CommandBehavior behavior, CancellationToken cancellationToken)
    {
        try
        {
            dialect.EnsureUsable(inner.Connection);
            return new StoreDataReader(dialect, await inner.ExecuteReaderAsync(behavior, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception ex) when (StoreFaults.Translate(dialect, ex, cancellationToken) is { } store)
        {
            throw store;
        }
    }

    public override ValueTask DisposeAsync() => inner.DisposeAsync();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
