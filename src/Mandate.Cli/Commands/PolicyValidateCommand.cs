using System.CommandLine;
using Mandate.Cedar;
using Mandate.Cli.Grammar;

namespace Mandate.Cli.Commands;

/// <summary>
/// <c>mandate policy validate FILE... [--schema FILE]</c>: parse the files named on the command line and, with a
/// schema, validate them strictly. Local: reads only those files (the server-side check of a whole bundle is
/// <c>mandate policy push --dry-run</c>).
/// </summary>
internal static class PolicyValidateCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var files = new Argument<FileInfo[]>("files") { Description = "Cedar policy files.", Arity = ArgumentArity.OneOrMore };
        files.AcceptExistingOnly();
        var schemaOption = new Option<FileInfo?>("--schema") { Description = "A schema (.cedarschema or .json) to validate against, in strict mode.", HelpName = "FILE" };
        var command = new Command("validate", "Check that policy files parse and, with --schema, pass strict validation (local files).") { files, schemaOption };
        CliAction.Set(command, globals, async context =>
        {
            var error = context.Output.Error;
            var policies = await PolicyFiles.LoadPoliciesAsync(context.Value(files)!, error, context.CancellationToken);
            if (policies is null)
            {
                return ExitCodes.Failed;
            }

            if (context.Value(schemaOption) is not { } schemaFile)
            {
                await ReportAsync(context, policies.Count, [], []);
                return ExitCodes.Success;
            }

            var schema = await PolicyFiles.LoadSchemaAsync(schemaFile, error, context.CancellationToken);
            if (schema is null)
            {
                return ExitCodes.Failed;
            }

            var result = Validator.Validate(policies, schema, ValidationMode.Strict);
            var errors = result.Errors.Select(issue => $"{Location(issue)}: {PolicyFiles.DisplayId(policies, issue.PolicyId)}: {issue.Message}").ToList();
            var warnings = result.Warnings.Select(issue => $"{Location(issue)}: {PolicyFiles.DisplayId(policies, issue.PolicyId)}: {issue.Message}").ToList();
            foreach (var line in errors)
            {
                await context.Output.ErrorAsync(line);
            }

            foreach (var line in warnings)
            {
                await context.Output.WarningAsync(line);
            }

            await ReportAsync(context, policies.Count, errors, warnings, schema: true);
            return result.IsValid ? ExitCodes.Success : ExitCodes.Failed;
        });
        return command;
    }

    private static async Task ReportAsync(CliContext context, int count, List<string> errors, List<string> warnings, bool schema = false)
    {
        if (context.Json)
        {
            await context.Output.JsonAsync(new { valid = errors.Count == 0, policies = count, errors, warnings });
        }
        else if (errors.Count > 0)
        {
            await context.Output.ErrorAsync($"{errors.Count} validation error(s).");
        }
        else if (schema)
        {
            await context.Output.LineAsync($"{count} policies valid against the schema ({warnings.Count} warning(s)).");
        }
        else
        {
            await context.Output.LineAsync($"{count} policies parsed, no errors.");
        }
    }

    private static string Location(ValidationIssue issue) =>
        $"{(issue.Source is null ? "<policy>" : PolicyFiles.Display(new FileInfo(issue.Source)))}:{issue.Line}:{issue.Column}";
}
