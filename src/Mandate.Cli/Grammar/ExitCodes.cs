namespace Mandate.Cli.Grammar;

/// <summary>The exit codes every <c>mandate</c> command uses, whatever its noun.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Success = 0;

    /// <summary>The operation was attempted and failed: the server refused it, a file is bad, a chain does not verify.</summary>
    public const int Failed = 1;

    /// <summary>The command line is wrong: unknown command or option, missing or malformed argument.</summary>
    public const int Usage = 2;

    /// <summary>The server could not be reached, or did not accept the credential (401/403, or no credential at all).</summary>
    public const int Unavailable = 3;
}
