using System.CommandLine;
using System.Text.Json;
using Mandate.Cedar.Conformance;

namespace Mandate.Cli.Commands;

/// <summary>
/// <c>mandate policy test --corpus DIR [--json] [--json-schema]</c>: run a Cedar conformance corpus. Prints
/// <c>N passed, N failed</c> (failure details go to stderr), or with --json one object
/// <c>{"passed":N,"failed":N,"failures":[…]}</c>. Exit 0 only when nothing failed and something passed.
/// </summary>
internal static class PolicyTestCommand
{
    public static Command Create()
    {
        var corpus = new Option<DirectoryInfo>("--corpus") { Description = "The corpus folder (cases are folders holding tests.json).", HelpName = "DIR", Required = true };
        var json = new Option<bool>("--json") { Description = "Print one JSON object with the counts and the failures." };
        var jsonSchema = new Option<bool>("--json-schema") { Description = "Use each case's schema.json (JSON schema syntax) when present." };
        var command = new Command("test", "Run a Cedar conformance corpus and report passed and failed cases.") { corpus, json, jsonSchema };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var directory = parse.GetValue(corpus)!;
            if (!directory.Exists)
            {
                await error.WriteLineAsync($"error: --corpus: the directory '{directory.FullName}' does not exist.");
                return CliApplication.UsageError;
            }

            var report = await Task.Run(() => CorpusRunner.Run(directory.FullName, parse.GetValue(jsonSchema)), cancellationToken);
            if (parse.GetValue(json))
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
                    await error.WriteLineAsync($"FAIL {failure.Case} [{failure.Request}]: expected {failure.Expected}; got {failure.Actual}");
                }

                await output.WriteLineAsync($"{report.Passed} passed, {report.Failed} failed");
            }

            return report.Failed == 0 && report.Passed > 0 ? 0 : 1;
        });
        return command;
    }
}
