using System.CommandLine;
using Mandate.Cli.Commands;

namespace Mandate.Cli;

/// <summary>Builds the command tree and runs it; usage errors exit 2 with the valid forms.</summary>
internal static class CliApplication
{
    public const int UsageError = 2;

    // Response files off: System.CommandLine would replace any argument starting with '@' by the words of that file
    // (throwing on a directory), so '--context @FILE' and paths that start with '@' never reached the commands.
    private static readonly ParserConfiguration Parsing = new() { ResponseFileTokenReplacer = null };

    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("Mandate: runtime authorization and lifecycle governance for non-human identities and AI agents.");
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(AuditCommand.Create());
        root.Subcommands.Add(PolicyCommand.Create());
        root.Subcommands.Add(TaskCommand.Create());
        root.Subcommands.Add(IdentityCommand.Create());
        return root;
    }

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var root = BuildRoot();
        var result = root.Parse(args, Parsing);
        if (result.Errors.Count > 0)
        {
            foreach (var parseError in result.Errors)
            {
                await error.WriteLineAsync($"error: {parseError.Message}");
            }

            var command = result.CommandResult.Command;
            var path = CommandPath(command);
            await error.WriteLineAsync($"usage: {path} {Usage(command)}");
            await error.WriteLineAsync($"See '{path} --help' for the valid options.");
            return UsageError;
        }

        var configuration = new InvocationConfiguration { Output = output, Error = error };
        return await result.InvokeAsync(configuration);
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
            .Select(o => o.Arity.MaximumNumberOfValues == 0 ? $"[{o.Name}]" : $"[{o.Name} {o.HelpName ?? "VALUE"}]"));
        return string.Join(' ', parts);
    }
}
