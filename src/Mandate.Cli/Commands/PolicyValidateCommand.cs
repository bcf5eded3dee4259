using System.CommandLine;
using Mandate.Cedar;

namespace Mandate.Cli.Commands;

/// <summary><c>mandate policy validate FILE... [--schema FILE]</c>: parse, and with a schema validate strictly.</summary>
internal static class PolicyValidateCommand
{
    public static Command Create()
    {
        var files = new Argument<FileInfo[]>("files") { Description = "Cedar policy files.", Arity = ArgumentArity.OneOrMore };
        var schemaOption = new Option<FileInfo?>("--schema") { Description = "A schema (.cedarschema or .json) to validate against, in strict mode.", HelpName = "FILE" };
        var command = new Command("validate", "Check that policy files parse and, with --schema, pass strict validation.") { files, schemaOption };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var policyFiles = parse.GetValue(files)!;
            var policies = await PolicyFiles.LoadPoliciesAsync(policyFiles, error, cancellationToken);
            if (policies is null)
            {
                return 1;
            }

            if (parse.GetValue(schemaOption) is not { } schemaFile)
            {
                await output.WriteLineAsync($"{policies.Count} policies parsed, no errors.");
                return 0;
            }

            var schema = await PolicyFiles.LoadSchemaAsync(schemaFile, error, cancellationToken);
            if (schema is null)
            {
                return 1;
            }

            var result = Validator.Validate(policies, schema, ValidationMode.Strict);
            foreach (var issue in result.Errors)
            {
                await error.WriteLineAsync($"{Location(issue)}: error: {issue.PolicyId}: {issue.Message}");
            }

            foreach (var issue in result.Warnings)
            {
                await error.WriteLineAsync($"{Location(issue)}: warning: {issue.PolicyId}: {issue.Message}");
            }

            if (!result.IsValid)
            {
                await error.WriteLineAsync($"{result.Errors.Count} validation error(s).");
                return 1;
            }

            await output.WriteLineAsync($"{policies.Count} policies valid against the schema ({result.Warnings.Count} warning(s)).");
            return 0;
        });
        return command;
    }

    private static string Location(ValidationIssue issue) =>
        $"{(issue.Source is null ? "<policy>" : PolicyFiles.Display(new FileInfo(issue.Source)))}:{issue.Line}:{issue.Column}";
}
