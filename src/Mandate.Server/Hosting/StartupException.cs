namespace Mandate.Server.Hosting;

/// <summary>The server cannot start as configured (bad policy directory, bad key material…). The message is for an operator.</summary>
internal sealed class StartupException : Exception
{
    public StartupException(string message)
        : base(message)
    {
    }

    public StartupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public StartupException()
    {
    }
}
