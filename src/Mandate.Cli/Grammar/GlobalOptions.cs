using System.CommandLine;

namespace Mandate.Cli.Grammar;

/// <summary>
/// The options every command takes: where the server is, where the admin credential is, and whether to print JSON.
/// One instance per command tree, handed to every command factory. <c>serve</c> is the server, not a client of one:
/// it takes <c>--json</c> but not <c>--server</c> or <c>--token-file</c>, so those two are attached to every other
/// command (and shown in its help) instead of being recursive.
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
    };

    public Option<FileInfo?> TokenFile { get; } = new("--token-file")
    {
        Description = $"A file holding the admin token (default: ${TokenVariable}, then ./.mandate/admin.token).",
        HelpName = "FILE",
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print one JSON document (the API's shape) instead of tables.",
        Recursive = true,
    };

    /// <summary>Attaches the options to the whole tree; call it once every command is in place.</summary>
    public void AddTo(RootCommand root, params Command[] servers)
    {
        ArgumentNullException.ThrowIfNull(root);
        root.Options.Add(Json);
        AddClientOptions(root, servers);
    }

    private void AddClientOptions(Command command, Command[] servers)
    {
        if (servers.Contains(command))
        {
            return;
        }

        command.Options.Add(Server);
        command.Options.Add(TokenFile);
        foreach (var subcommand in command.Subcommands)
        {
            AddClientOptions(subcommand, servers);
        }
    }
}
