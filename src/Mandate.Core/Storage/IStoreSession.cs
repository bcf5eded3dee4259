namespace Mandate.Core.Storage;

/// <summary>
/// One transaction against the store. Repositories obtained from a session all share its transaction.
/// Disposing a session that was not committed rolls it back.
/// </summary>
internal interface IStoreSession : IAsyncDisposable
{
    /// <summary>The repository implementing <typeparamref name="TRepository"/> (an interface declared in Core).</summary>
    TRepository Get<TRepository>()
        where TRepository : class;

    Task CommitAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="callback"/> once the transaction has committed (never when it rolls back): what only
    /// committed state may announce, such as the audit trail's append feed, waits for it. Callbacks must not throw.
    /// </summary>
    void OnCommitted(Action callback);
}
