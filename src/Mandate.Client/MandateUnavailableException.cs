namespace Mandate.Client;

/// <summary>The decision point could not answer (unreachable, timed out, or an HTTP error) after every retry.</summary>
public sealed class MandateUnavailableException : Exception
{
    public MandateUnavailableException()
    {
    }

    public MandateUnavailableException(string message)
        : base(message)
    {
    }

    public MandateUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The HTTP status of the last attempt, when there was a response.</summary>
    public int? StatusCode { get; init; }
}
