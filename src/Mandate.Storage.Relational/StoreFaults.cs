using Mandate.Core.Storage;

namespace Mandate.Storage.Relational;

/// <summary>
/// The one place driver exceptions become <see cref="StoreException"/>: every command, reader, commit and connection of
/// a session passes its failures through here, so no repository maps errors itself.
/// </summary>
internal static class StoreFaults
{
    /// <summary>
    /// The exception to throw instead of <paramref name="exception"/>, or null to let it through unchanged (already a
    /// <see cref="StoreException"/>, a cancellation the caller asked for, a constraint violation, a defect).
    /// </summary>
    public static StoreException? Translate(SqlDialect dialect, Exception exception, CancellationToken cancellationToken = default)
    {
        if (exception is StoreException or OperationCanceledException || cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        return dialect.Translate(exception);
    }
}
