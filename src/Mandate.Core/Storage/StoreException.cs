namespace Mandate.Core.Storage;

/// <summary>
/// The store cannot be used as it is (unreadable, corrupt, from a newer build, unreachable, locked, read-only). The
/// message is meant for an operator and never carries credentials; <see cref="Fault"/> classifies it.
/// </summary>
internal sealed class StoreException : Exception
{
    // Every StoreException is one store error of mandate.store.errors, counted by its fault (Telemetry.StoreErrorMetrics).
    public StoreException(string message)
        : base(message)
    {
        Telemetry.StoreErrorMetrics.Record(StoreFault.Other);
    }

    public StoreException(string message, Exception innerException)
        : base(message, innerException)
    {
        Telemetry.StoreErrorMetrics.Record(StoreFault.Other);
    }

    public StoreException(StoreFault fault, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Fault = fault;
        Telemetry.StoreErrorMetrics.Record(fault);
    }

    public StoreException()
    {
        Telemetry.StoreErrorMetrics.Record(StoreFault.Other);
    }

    public StoreFault Fault { get; }
}
