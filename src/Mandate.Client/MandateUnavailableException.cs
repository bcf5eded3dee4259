namespace Mandate.Client;

/// <summary>The decision point could not answer (unreachable, timed out, or an HTTP error) after every retry.</summary>
public sealed class MandateUnavailableException : Exception
{
    /// <summary>Creates the exception with the default message.</summary>
    public MandateUnavailableException()
    {
    }

    /// <summary>Creates the exception with a message saying what failed.</summary>
    /// <param name="message">What failed.</param>
    public MandateUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the failure of the last attempt.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The last attempt's failure.</param>
    public MandateUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The HTTP status of the last attempt, when there was a response.</summary>
    public int? StatusCode { get; init; }
}
