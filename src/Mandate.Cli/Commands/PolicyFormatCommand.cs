using System.CommandLine;
using Mandate.Cedar;

namespace Mandate.Cli.Commands;

/// <summary><c>mandate policy format FILE... [--write | --check]</c>.</summary>
internal static class PolicyFormatCommand
{
    public static Command Create()
    {
        var files = new Argument<FileInfo[]>("files") { Description = "Cedar policy files.", Arity = ArgumentArity.OneOrMore };
        var write = new Option<bool>("--write") { Description = "Rewrite the files in place instead of printing." };
        var check = new Option<bool>("--check") { Description = "Print nothing; exit 1 when a file is not formatted." };
        var command = new Command("format", "Format Cedar policy files (prints the result unless --write or --check).") { files, write, check };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (parse.GetValue(write) && parse.GetValue(check))
            {
                await error.WriteLineAsync("error: use either --write or --check, not both.");
                return CliApplication.UsageError;
            }

            var exit = 0;
            foreach (var file in parse.GetValue(files)!)
            {
                var text = await PolicyFiles.ReadAsync(file, error, cancellationToken);
                if (text is null)
                {
                    exit = 1;
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
                        await error.WriteLineAsync($"{PolicyFiles.Display(file)}:{diagnostic.Line}:{diagnostic.Column}: error: {diagnostic.Message}");
                    }

                    exit = 1;
                    continue;
                }

                if (parse.GetValue(check))
                {
                    if (!string.Equals(formatted, text, StringComparison.Ordinal))
                    {
                        await error.WriteLineAsync($"{PolicyFiles.Display(file)}: not formatted");
                        exit = 1;
                    }
                }
                else if (parse.GetValue(write))
                {
                    if (!string.Equals(formatted, text, StringComparison.Ordinal))
                    {
                        await File.WriteAllTextAsync(file.FullName, formatted, cancellationToken);
                    }
                }
                else
                {
                    await output.WriteAsync(formatted);
                }
            }

            return exit;
        });
        return command;
    }
}
