namespace Mandate.Core.Storage;

/// <summary>
/// The store cannot be used as it is (unreadable, corrupt, from a newer build, unreachable). The message is meant for
/// an operator and never carries credentials.
/// </summary>
internal sealed class StoreException : Exception
{
    // Every StoreException is one store error for mandate.store.errors (not classified further yet).
    public StoreException(string message)
        : base(message)
    {
        Telemetry.StoreErrorMetrics.Record("other");
    }

    public StoreException(string message, Exception innerException)
        : base(message, innerException)
    {
        Telemetry.StoreErrorMetrics.Record("other");
    }

    public StoreException()
    {
        Telemetry.StoreErrorMetrics.Record("other");
    }
}
