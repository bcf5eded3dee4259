namespace Mandate.Cli.Grammar;

/// <summary>
/// A failure a command reports to the user: the message is printed once as <c>mandate: error: …</c> on standard error
/// and the process exits with <see cref="ExitCode"/>. Thrown anywhere below a command's action; caught by
/// <see cref="CliAction"/>.
/// </summary>
internal sealed class CliException : Exception
{
    public CliException()
    {
    }

    public CliException(string message)
        : this(ExitCodes.Failed, message)
    {
    }

    public CliException(string message, Exception innerException)
        : base(message, innerException)
    {
        ExitCode = ExitCodes.Failed;
    }

    public CliException(int exitCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ExitCode = exitCode;
    }

    public int ExitCode { get; } = ExitCodes.Failed;

    /// <summary>Extra lines printed after the message (a server's list of errors, say), each indented.</summary>
    public IReadOnlyList<string> Details { get; init; } = [];

    public static CliException Usage(string message) => new(ExitCodes.Usage, message);

    public static CliException Failed(string message) => new(ExitCodes.Failed, message);

    public static CliException Unavailable(string message, Exception? inner = null) => new(ExitCodes.Unavailable, message, inner);
}
