namespace Mandate.Core.Storage;

/// <summary>
/// The store cannot be used as it is (unreadable, corrupt, from a newer build, unreachable, locked, read-only). The
/// message is meant for an operator and never carries credentials; <see cref="Fault"/> classifies it.
/// </summary>
internal sealed class StoreException : Exception
{
    public StoreException(string message)
        : base(message)
    {
    }

    public StoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public StoreException(StoreFault fault, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Fault = fault;
    }

    public StoreException()
    {
    }

    public StoreFault Fault { get; }
}
