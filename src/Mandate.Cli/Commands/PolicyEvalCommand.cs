using System.CommandLine;
using System.Text.Json;
using Mandate.Cedar;
using Mandate.Cli.Grammar;

namespace Mandate.Cli.Commands;

/// <summary>
/// <c>mandate policy eval FILE... --principal UID --action UID --resource UID [--context JSON] [--entities FILE]
/// [--schema FILE] [--json]</c>: authorize one request against local files. Exit 0 when it was evaluated (allow or
/// deny), 1 on bad input. Policies are named as the server names them: their <c>@id</c>, else <c>FILE.policyN</c>.
/// </summary>
internal static class PolicyEvalCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var files = new Argument<FileInfo[]>("files") { Description = "Cedar policy files.", Arity = ArgumentArity.OneOrMore };
        files.AcceptExistingOnly();
        var principal = new Option<string>("--principal") { Description = "The principal, like User::\"alice\".", HelpName = "UID", Required = true };
        var action = new Option<string>("--action") { Description = "The action, like Action::\"view\".", HelpName = "UID", Required = true };
        var resource = new Option<string>("--resource") { Description = "The resource, like Photo::\"a.jpg\".", HelpName = "UID", Required = true };
        var context = new Option<string?>("--context") { Description = "The context as a JSON object, or @FILE.", HelpName = "JSON" };
        var entitiesOption = new Option<FileInfo?>("--entities") { Description = "Entities JSON file.", HelpName = "FILE" };
        var schemaOption = new Option<FileInfo?>("--schema") { Description = "Schema used to type the entities and context.", HelpName = "FILE" };
        var command = new Command("eval", "Authorize one request against policy files (local files).")
        {
            files, principal, action, resource, context, entitiesOption, schemaOption,
        };
        CliAction.Set(command, globals, async cli =>
        {
            var parse = cli.Parse;
            var cancellationToken = cli.CancellationToken;
            var output = cli.Output.Out;
            var error = cli.Output.Error;
            var policies = await PolicyFiles.LoadPoliciesAsync(parse.GetValue(files)!, error, cancellationToken);
            if (policies is null)
            {
                return ExitCodes.Failed;
            }

            Schema? schema = null;
            if (parse.GetValue(schemaOption) is { } schemaFile && (schema = await PolicyFiles.LoadSchemaAsync(schemaFile, error, cancellationToken)) is null)
            {
                return ExitCodes.Failed;
            }

            var entities = Entities.Empty;
            if (parse.GetValue(entitiesOption) is { } entitiesFile && (entities = await PolicyFiles.LoadEntitiesAsync(entitiesFile, schema, error, cancellationToken)) is null)
            {
                return ExitCodes.Failed;
            }

            EntityUid principalUid, actionUid, resourceUid;
            IReadOnlyDictionary<string, CedarValue> contextValues;
            try
            {
                principalUid = EntityUidText.Parse(parse.GetValue(principal)!, "--principal");
                actionUid = EntityUidText.Parse(parse.GetValue(action)!, "--action");
                resourceUid = EntityUidText.Parse(parse.GetValue(resource)!, "--resource");
                var contextText = parse.GetValue(context) ?? "{}";
                if (contextText.StartsWith('@'))
                {
                    var loaded = await LoadContextFileAsync(new FileInfo(contextText[1..]), schema, actionUid, error, cancellationToken);
                    if (loaded is null)
                    {
                        return ExitCodes.Failed;
                    }

                    contextValues = loaded;
                }
                else
                {
                    contextValues = Context.FromJson(contextText, schema, actionUid);
                }
            }
            catch (CedarException ex)
            {
                await cli.Output.ErrorAsync(ex.Message);
                return ExitCodes.Failed;
            }

            var request = new Request(principalUid, actionUid, resourceUid, contextValues);
            if (schema is not null)
            {
                foreach (var problem in schema.ValidateRequest(request))
                {
                    await cli.Output.WarningAsync($"the request does not conform to the schema: {problem}");
                }
            }

            var response = Authorizer.IsAuthorized(request, policies, entities);
            if (cli.Json)
            {
                await cli.Output.JsonAsync(new
                {
                    decision = response.Decision == Decision.Allow ? "allow" : "deny",
                    reasons = response.Reasons.Select(r => PolicyFiles.DisplayId(policies, r)).ToList(),
                    errors = response.Errors.Select(e => new { policy_id = PolicyFiles.DisplayId(policies, e.PolicyId), message = e.Message }).ToList(),
                });
            }
            else
            {
                await output.WriteLineAsync(response.Decision == Decision.Allow ? "ALLOW" : "DENY");
                foreach (var reason in response.Reasons)
                {
                    await output.WriteLineAsync($"  reason: {Describe(policies, reason)}");
                }

                foreach (var failure in response.Errors)
                {
                    await output.WriteLineAsync($"  error: {PolicyFiles.DisplayId(policies, failure.PolicyId)}: {failure.Message}");
                }
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The context from a file, its errors naming the file (and line and column for JSON syntax); null when it fails.</summary>
    private static async Task<IReadOnlyDictionary<string, CedarValue>?> LoadContextFileAsync(FileInfo file, Schema? schema, EntityUid action, TextWriter error, CancellationToken cancellationToken)
    {
        var text = await PolicyFiles.ReadAsync(file, error, cancellationToken);
        if (text is null)
        {
            return null;
        }

        JsonDocument document;
        try
        {
            // Parsed here rather than by Context.FromJson(string), whose error has lost the position; as deep as it allows.
            document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException ex)
        {
            await error.WriteLineAsync("mandate: error: " + JsonErrors.Describe(PolicyFiles.Display(file), ex));
            return null;
        }

        using (document)
        {
            try
            {
                return Context.FromJson(document.RootElement, schema, action);
            }
            catch (CedarException ex)
            {
                await error.WriteLineAsync($"mandate: error: {PolicyFiles.Display(file)}:1:1: {ex.Message}");
                return null;
            }
        }
    }

    private static string Describe(PolicySet policies, string id) =>
        policies.TryGetPolicy(id, out var policy) && policy.Source is not null
            ? $"{PolicyFiles.DisplayId(policies, id)} ({PolicyFiles.Display(new FileInfo(policy.Source))}:{policy.Line}:{policy.Column})"
            : PolicyFiles.DisplayId(policies, id);
}
