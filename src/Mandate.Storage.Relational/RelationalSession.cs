using System.Data.Common;
using Mandate.Core.Storage;

namespace Mandate.Storage.Relational;

/// <summary>One connection and its transaction; repositories created from it share both.</summary>
internal sealed class RelationalSession : IStoreSession
{
    // Most sessions use one repository (the decision ledger's writer: one session per group-commit batch), which is kept
    // in a field; a table is made only for a second one.
    private Type? firstType;
    private object? firstRepository;
    private Dictionary<Type, object>? repositories;
    // The commit callbacks in the order given. The ledger's writer gives two per batch (its answers, then the records'
    // announcement): they are kept in fields, and a list is made only for a third.
    private Action? firstCommitted;
    private Action? secondCommitted;
    private List<Action>? moreCommitted;
    private bool completed;

    internal RelationalSession(SqlDialect dialect, DbConnection connection, DbTransaction transaction)
    {
        Dialect = dialect;
        Connection = connection;
        Transaction = transaction;
    }

    public SqlDialect Dialect { get; }

    public DbConnection Connection { get; }

    public DbTransaction Transaction { get; }

    public TRepository Get<TRepository>()
        where TRepository : class
    {
        if (firstType == typeof(TRepository))
        {
            return (TRepository)firstRepository!;
        }

        if (repositories is not null && repositories.TryGetValue(typeof(TRepository), out var repository))
        {
            return (TRepository)repository;
        }

        repository = RepositoryRegistry.Create(typeof(TRepository), this);
        if (firstType is null)
        {
            (firstType, firstRepository) = (typeof(TRepository), repository);
        }
        else
        {
            (repositories ??= [])[typeof(TRepository)] = repository;
        }

        return (TRepository)repository;
    }

    /// <summary>
    /// A command bound to this session's transaction, with <c>@name</c> parameters; its failures (and those of its
    /// readers) surface as <see cref="StoreException"/>.
    /// </summary>
    public DbCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        var command = new StoreCommand(Dialect, Connection.CreateCommand());
        Dialect.Enlist(command, Transaction);
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    public async Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var command = Command(sql, parameters);
        await using var commandDisposal = command.ConfigureAwait(false);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<object?> ScalarAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var command = Command(sql, parameters);
        await using var commandDisposal = command.ConfigureAwait(false);
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is DBNull ? null : value;
    }

    /// <summary>Takes the named serialization lock for the rest of the transaction (no-op where the write lock already serializes).</summary>
    public async Task SerializeAsync(string lockName, CancellationToken cancellationToken)
    {
        if (Dialect.SerializeSql(lockName) is { } sql)
        {
            await ExecuteAsync(sql, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StoreFaults.Translate(Dialect, ex, cancellationToken) is { } store)
        {
            // Whether a commit whose answer was lost took effect is unknown; the caller reports failure (503) and
            // acknowledges nothing, so a retry is the client's to make.
            throw store;
        }

        completed = true;
        var (first, second, more) = (firstCommitted, secondCommitted, moreCommitted);
        (firstCommitted, secondCommitted, moreCommitted) = (null, null, null);
        first?.Invoke();
        second?.Invoke();
        if (more is not null)
        {
            foreach (var callback in more)
            {
                callback();
            }
        }
    }

    public void OnCommitted(Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        if (firstCommitted is null)
        {
            firstCommitted = callback;
        }
        else if (secondCommitted is null)
        {
            secondCommitted = callback;
        }
        else
        {
            (moreCommitted ??= []).Add(callback);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!completed)
        {
            try
            {
                await Transaction.RollbackAsync().ConfigureAwait(false);
            }
            catch (InvalidOperationException)
            {
                // The connection already ended the transaction (e.g. it broke); nothing left to undo.
            }
            catch (DbException)
            {
                // Same: a broken connection has already lost the transaction.
            }
        }

        await Transaction.DisposeAsync().ConfigureAwait(false);
        await Connection.DisposeAsync().ConfigureAwait(false);
    }
}
