using System.CommandLine;
using System.Text.Json;
using Mandate.Cli.Grammar;
using Mandate.Cedar.Conformance;

namespace Mandate.Cli.Commands;

/// <summary>
/// <c>mandate policy test --corpus DIR [--json] [--json-schema]</c>: run a Cedar conformance corpus. Prints
/// <c>N passed, N failed</c> (failure details go to stderr), or with --json one object
/// <c>{"passed":N,"failed":N,"failures":[…]}</c>. Exit 0 only when nothing failed and something passed.
/// </summary>
internal static class PolicyTestCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var corpus = new Option<DirectoryInfo>("--corpus") { Description = "The corpus folder (cases are folders holding tests.json).", HelpName = "DIR", Required = true };
        var jsonSchema = new Option<bool>("--json-schema") { Description = "Use each case's schema.json (JSON schema syntax) when present." };
        var command = new Command("test", "Run a Cedar conformance corpus and report passed and failed cases.") { corpus, jsonSchema };
        CliAction.Set(command, globals, async cli =>
        {
            var parse = cli.Parse;
            var cancellationToken = cli.CancellationToken;
            var output = cli.Output.Out;
            var error = cli.Output.Error;
            var directory = parse.GetValue(corpus)!;
            if (!directory.Exists)
            {
                throw CliException.Usage($"--corpus: the directory '{directory.FullName}' does not exist.");
            }

            var report = await Task.Run(() => CorpusRunner.Run(directory.FullName, parse.GetValue(jsonSchema)), cancellationToken);
            if (cli.Json)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(new
                {
                    passed = report.Passed,
                    failed = report.Failed,
                    failures = report.Failures.Select(f => new { @case = f.Case, request = f.Request, expected = f.Expected, actual = f.Actual }),
                }));
            }
            else
            {
                foreach (var failure in report.Failures)
                {
                    await cli.Output.ErrorAsync($"FAIL {failure.Case} [{failure.Request}]: expected {failure.Expected}; got {failure.Actual}");
                }

                await output.WriteLineAsync($"{report.Passed} passed, {report.Failed} failed");
            }

            return report.Failed == 0 && report.Passed > 0 ? 0 : 1;
        });
        return command;
    }
}
