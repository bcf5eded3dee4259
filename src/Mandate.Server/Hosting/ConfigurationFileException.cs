namespace Mandate.Server.Hosting;

/// <summary>A configuration file cannot be used; the message names the file and, where it can, the line and column.</summary>
internal sealed class ConfigurationFileException : Exception
{
    public ConfigurationFileException(string message)
        : base(message)
    {
    }

    public ConfigurationFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ConfigurationFileException()
    {
    }
}
