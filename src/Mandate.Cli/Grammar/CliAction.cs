using System.CommandLine;

namespace Mandate.Cli.Grammar;

/// <summary>
/// Sets a command's action so that every command fails the same way: a <see cref="CliException"/> becomes one
/// <c>mandate: error: …</c> line (and its details) with its exit code; Ctrl+C exits 130.
/// </summary>
internal static class CliAction
{
    /// <summary>Whether standard error is a terminal: set once by the program, false in tests (progress stays off).</summary>
    public static bool Interactive { get; set; }

    public static void Set(Command command, GlobalOptions globals, Func<CliContext, Task<int>> action)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(action);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = new CliContext(parse, globals, Interactive, cancellationToken);
            try
            {
                return await action(context);
            }
            catch (CliException ex)
            {
                await context.Output.ErrorAsync(ex.Message);
                foreach (var line in ex.Details)
                {
                    await context.Output.Error.WriteLineAsync("  " + line);
                }

                return ex.ExitCode;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await context.Output.ErrorAsync("interrupted.");
                return 130;
            }
        });
    }

    /// <summary>A group (a noun): no action of its own, so naming it alone is a usage error listing its verbs.</summary>
    public static Command Group(string name, string description, params Command[] verbs)
    {
        var command = new Command(name, description);
        foreach (var verb in verbs)
        {
            command.Subcommands.Add(verb);
        }

        return command;
    }
}
