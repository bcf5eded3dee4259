using System.CommandLine;
using Mandate.Cedar;
using Mandate.Cli.Grammar;

namespace Mandate.Cli.Commands;

/// <summary><c>mandate policy format FILE... [--write | --check]</c> (local files).</summary>
internal static class PolicyFormatCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var files = new Argument<FileInfo[]>("files") { Description = "Cedar policy files.", Arity = ArgumentArity.OneOrMore };
        files.AcceptExistingOnly();
        var write = new Option<bool>("--write") { Description = "Rewrite the files in place instead of printing." };
        var check = new Option<bool>("--check") { Description = "Print nothing; exit 1 when a file is not formatted." };
        var command = new Command("format", "Format Cedar policy files (prints the result unless --write or --check; local files).") { files, write, check };
        CliAction.Set(command, globals, async context =>
        {
            if (context.Value(write) && context.Value(check))
            {
                throw CliException.Usage("use either --write or --check, not both.");
            }

            var exit = ExitCodes.Success;
            var report = new List<object>();
            foreach (var file in context.Value(files)!)
            {
                var text = await PolicyFiles.ReadAsync(file, context.Output.Error, context.CancellationToken);
                if (text is null)
                {
                    exit = ExitCodes.Failed;
                    continue;
                }

                string formatted;
                try
                {
                    formatted = Formatter.Format(text, file.FullName);
                }
                catch (CedarParseException ex)
                {
                    foreach (var diagnostic in ex.Diagnostics)
                    {
                        await context.Output.ErrorAsync($"{PolicyFiles.Display(file)}:{diagnostic.Line}:{diagnostic.Column}: {diagnostic.Message}");
                    }

                    exit = ExitCodes.Failed;
                    continue;
                }

                var isFormatted = string.Equals(formatted, text, StringComparison.Ordinal);
                if (context.Value(check))
                {
                    if (!isFormatted)
                    {
                        await context.Output.ErrorAsync($"{PolicyFiles.Display(file)}: not formatted (run 'mandate policy format --write' on it).");
                        exit = ExitCodes.Failed;
                    }

                    report.Add(new { file = PolicyFiles.Display(file), formatted = isFormatted });
                }
                else if (context.Value(write))
                {
                    if (!isFormatted)
                    {
                        await File.WriteAllTextAsync(file.FullName, formatted, context.CancellationToken);
                    }

                    report.Add(new { file = PolicyFiles.Display(file), rewritten = !isFormatted });
                }
                else if (context.Json)
                {
                    report.Add(new { file = PolicyFiles.Display(file), text = formatted });
                }
                else
                {
                    await context.Output.Out.WriteAsync(formatted);
                }
            }

            if (context.Json)
            {
                await context.Output.JsonAsync(new { files = report });
            }

            return exit;
        });
        return command;
    }
}
