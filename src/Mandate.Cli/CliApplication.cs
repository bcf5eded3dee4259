using System.CommandLine;
using System.CommandLine.Help;
using Mandate.Cli.Commands;
using Mandate.Cli.Grammar;

namespace Mandate.Cli;

/// <summary>
/// Builds the command tree (<c>mandate &lt;noun&gt; &lt;verb&gt;</c>, global options on the root) and runs it. A wrong
/// command line, help for a command that does not exist included, exits 2 with the valid forms.
/// </summary>
internal static class CliApplication
{
    public const int UsageError = ExitCodes.Usage;

    // Response files off: System.CommandLine would replace any argument starting with '@' by the words of that file
    // (throwing on a directory), so '--context @FILE' and paths that start with '@' never reached the commands.
    private static readonly ParserConfiguration Parsing = new() { ResponseFileTokenReplacer = null };

    public static RootCommand BuildRoot()
    {
        var globals = new GlobalOptions();
        var root = new RootCommand("Mandate: runtime authorization and lifecycle governance for non-human identities and AI agents.");
        var serve = ServeCommand.Create(globals);
        root.Subcommands.Add(serve);
        root.Subcommands.Add(StatusCommand.Create(globals));
        root.Subcommands.Add(HealthCommand.Create(globals));
        root.Subcommands.Add(IdentityCommand.Create(globals));
        root.Subcommands.Add(TaskCommand.Create(globals));
        root.Subcommands.Add(RevocationsCommand.Create(globals));
        root.Subcommands.Add(CredentialCommand.Create(globals));
        root.Subcommands.Add(PolicyCommand.Create(globals));
        root.Subcommands.Add(AuditCommand.Create(globals));
        root.Subcommands.Add(OperatorCommand.Create(globals));
        root.Subcommands.Add(PepCredentialCommand.Create(globals));
        root.Subcommands.Add(FindingsCommand.Create(globals));
        root.Subcommands.Add(ComplianceCommand.Create(globals));
        root.Subcommands.Add(ReviewCommand.Create(globals));
        root.Subcommands.Add(OffboardCommand.Create(globals));
        root.Subcommands.Add(ExceptionCommand.Create(globals));
        root.Subcommands.Add(BreakGlassCommand.Create(globals));
        root.Subcommands.Add(EvidenceCommand.Create(globals));
        root.Subcommands.Add(AlertsCommand.Create(globals));
        root.Subcommands.Add(RiskCommand.Create(globals));
        root.Subcommands.Add(WebhookCommand.Create(globals));
        root.Subcommands.Add(GatewayCommand.Create(globals));
        root.Subcommands.Add(SecretsCommand.Create(globals));
        globals.AddTo(root, servers: serve);
        return root;
    }

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var root = BuildRoot();
        var result = root.Parse(args, Parsing);

        // Help hides parse errors: 'mandate nosuch --help' would print the root's help and exit 0 as if it existed.
        var errors = result.Errors.Select(e => e.Message).ToList();
        if (errors.Count == 0 && result.Action is HelpAction && result.UnmatchedTokens.Count > 0)
        {
            errors.AddRange(result.UnmatchedTokens.Select(t => $"Unrecognized command or argument '{t}'."));
        }

        if (errors.Count > 0)
        {
            foreach (var message in errors)
            {
                await error.WriteLineAsync("mandate: error: " + message);
            }

            var command = result.CommandResult.Command;
            var path = CommandPath(command);
            await error.WriteLineAsync($"usage: {path} {Usage(command)}");
            await error.WriteLineAsync($"See '{path} --help' for the valid options.");
            return ExitCodes.Usage;
        }

        var configuration = new InvocationConfiguration { Output = output, Error = error };
        return await result.InvokeAsync(configuration);
    }

    /// <summary>Every command of the tree with its path (<c>mandate audit verify</c>), depth first; groups included.</summary>
    public static IEnumerable<(string Path, Command Command)> Walk(Command command, string path = "mandate")
    {
        ArgumentNullException.ThrowIfNull(command);
        yield return (path, command);
        foreach (var sub in command.Subcommands)
        {
            foreach (var child in Walk(sub, path + " " + sub.Name))
            {
                yield return child;
            }
        }
    }

    private static string CommandPath(Command command)
    {
        var names = new Stack<string>();
        for (Symbol? symbol = command; symbol is Command c; symbol = c.Parents.FirstOrDefault())
        {
            names.Push(c is RootCommand ? "mandate" : c.Name);
        }

        return string.Join(' ', names);
    }

    private static string Usage(Command command)
    {
        var parts = new List<string>();
        if (command.Subcommands.Count > 0)
        {
            parts.Add("<" + string.Join('|', command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name)) + ">");
        }

        parts.AddRange(command.Arguments.Select(a => $"<{a.Name}>"));
        parts.AddRange(command.Options.Where(o => !o.Hidden && o.Name is not "--help" and not "--version")
            .Select(o => o.Arity.MaximumNumberOfValues == 0 || o.ValueType == typeof(bool) ? $"[{o.Name}]" : $"[{o.Name} {o.HelpName ?? "VALUE"}]"));
        return string.Join(' ', parts);
    }
}
