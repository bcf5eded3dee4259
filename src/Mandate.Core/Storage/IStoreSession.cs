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
}
