namespace Mandate.Core.Storage;

/// <summary>
/// The store cannot be used as it is (unreadable, corrupt, from a newer build, unreachable). The message is meant for
/// an operator and never carries credentials.
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

    public StoreException()
    {
    }
}
