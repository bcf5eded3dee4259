using System.CommandLine;

namespace Mandate.Cli.Grammar;

/// <summary>
/// The options every command takes (recursive on the root command): where the server is, where the admin credential
/// is, and whether to print JSON. One instance per command tree, handed to every command factory.
/// </summary>
internal sealed class GlobalOptions
{
    public const string DefaultServer = "http://127.0.0.1:8080";

    public const string ServerVariable = "MANDATE_SERVER";

    public const string TokenVariable = "MANDATE_TOKEN";

    /// <summary>Relative to the working directory: where <c>mandate serve --demo</c> writes the admin token.</summary>
    public static readonly string DefaultTokenFile = Path.Combine(".mandate", "admin.token");

    public Option<string?> Server { get; } = new("--server")
    {
        Description = $"The Mandate server (default: ${ServerVariable}, then {DefaultServer}).",
        HelpName = "URL",
        Recursive = true,
    };

    public Option<FileInfo?> TokenFile { get; } = new("--token-file")
    {
        Description = $"A file holding the admin token (default: ${TokenVariable}, then ./.mandate/admin.token).",
        HelpName = "FILE",
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print one JSON document (the API's shape) instead of tables.",
        Recursive = true,
    };

    public void AddTo(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
        root.Options.Add(Server);
        root.Options.Add(TokenFile);
        root.Options.Add(Json);
    }
}
