namespace Mandate.Core.Audit;

/// <summary>
/// The stored rows of the chain, read in sequence order into <see cref="AuditRowBatch"/>es: how a whole-chain
/// verification reads, with no object or string per row. Opened by <see cref="IAuditRepository.OpenRowCursorAsync"/>
/// in the session's read transaction, and disposed before it ends.
/// </summary>
internal interface IAuditRowCursor : IAsyncDisposable
{
    /// <summary>Empties <paramref name="batch"/> and fills it with the next rows (up to its capacity); false when there
    /// were none left.</summary>
    ValueTask<bool> ReadAsync(AuditRowBatch batch, CancellationToken cancellationToken);
}
