using Mandate.Core.Storage;

namespace Mandate.Cli.Grammar;

/// <summary>
/// A secret the server shows once (an operator token, a PEP credential): written to <c>--output FILE</c> (mode 0600,
/// refused if the file exists, so nothing is overwritten), or printed when no file is named.
/// </summary>
internal static class SecretOutput
{
    public static async Task WriteAsync(FileInfo file, string secret, string option, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (file.Exists)
        {
            throw CliException.Usage($"{option}: '{file.FullName}' exists; name a new file (a secret is never written over another).");
        }

        try
        {
            PrivateFiles.EnsureFile(file.FullName);
            await File.WriteAllTextAsync(file.FullName, secret + "\n", cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw CliException.Failed($"{option}: cannot write '{file.FullName}': {ex.Message}");
        }
    }
}
