namespace Mandate.Storage.Relational;

/// <summary>
/// Writes many rows through one prepared <c>INSERT</c>: set each column of a row by its position, then
/// <see cref="EndRowAsync"/>; <see cref="CompleteAsync"/> writes what is still buffered. Made by
/// <see cref="SqlDialect.OpenBulkRowWriterAsync"/>, disposed before the transaction commits. Failures surface as
/// <see cref="Mandate.Core.Storage.StoreException"/> like every other command's.
/// </summary>
internal abstract class BulkRowWriter : IAsyncDisposable
{
    public abstract void Text(int column, string? value);

    /// <summary>Text given as UTF-8 (valid UTF-8: the caller encoded it).</summary>
    public virtual void Utf8Text(int column, ReadOnlySpan<byte> utf8) => Text(column, System.Text.Encoding.UTF8.GetString(utf8));

    public abstract void Integer(int column, long? value);

    public abstract void Blob(int column, ReadOnlySpan<byte> value);

    public abstract ValueTask EndRowAsync(CancellationToken cancellationToken);

    public abstract ValueTask CompleteAsync(CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();
}
