using System.CommandLine;
using System.Text.Json;
using Mandate.Cedar;

namespace Mandate.Cli.Commands;

/// <summary>
/// <c>mandate policy eval FILE... --principal UID --action UID --resource UID [--context JSON] [--entities FILE]
/// [--schema FILE] [--json]</c>: authorize one request. Exit 0 when it was evaluated (allow or deny), 1 on bad input.
/// </summary>
internal static class PolicyEvalCommand
{
    public static Command Create()
    {
        var files = new Argument<FileInfo[]>("files") { Description = "Cedar policy files.", Arity = ArgumentArity.OneOrMore };
        var principal = new Option<string>("--principal") { Description = "The principal, like User::\"alice\".", HelpName = "UID", Required = true };
        var action = new Option<string>("--action") { Description = "The action, like Action::\"view\".", HelpName = "UID", Required = true };
        var resource = new Option<string>("--resource") { Description = "The resource, like Photo::\"a.jpg\".", HelpName = "UID", Required = true };
        var context = new Option<string?>("--context") { Description = "The context as a JSON object, or @FILE.", HelpName = "JSON" };
        var entitiesOption = new Option<FileInfo?>("--entities") { Description = "Entities JSON file.", HelpName = "FILE" };
        var schemaOption = new Option<FileInfo?>("--schema") { Description = "Schema used to type the entities and context.", HelpName = "FILE" };
        var json = new Option<bool>("--json") { Description = "Print the response as JSON." };
        var command = new Command("eval", "Authorize one request against policy files.")
        {
            files, principal, action, resource, context, entitiesOption, schemaOption, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var policies = await PolicyFiles.LoadPoliciesAsync(parse.GetValue(files)!, error, cancellationToken);
            if (policies is null)
            {
                return 1;
            }

            Schema? schema = null;
            if (parse.GetValue(schemaOption) is { } schemaFile && (schema = await PolicyFiles.LoadSchemaAsync(schemaFile, error, cancellationToken)) is null)
            {
                return 1;
            }

            var entities = Entities.Empty;
            if (parse.GetValue(entitiesOption) is { } entitiesFile && (entities = await PolicyFiles.LoadEntitiesAsync(entitiesFile, schema, error, cancellationToken)) is null)
            {
                return 1;
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
                        return 1;
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
                await error.WriteLineAsync($"error: {ex.Message}");
                return 1;
            }

            var request = new Request(principalUid, actionUid, resourceUid, contextValues);
            if (schema is not null)
            {
                foreach (var problem in schema.ValidateRequest(request))
                {
                    await error.WriteLineAsync($"warning: the request does not conform to the schema: {problem}");
                }
            }

            var response = Authorizer.IsAuthorized(request, policies, entities);
            if (parse.GetValue(json))
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(new
                {
                    decision = response.Decision == Decision.Allow ? "allow" : "deny",
                    reasons = response.Reasons,
                    errors = response.Errors.Select(e => new { policy_id = e.PolicyId, message = e.Message }),
                }));
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
                    await output.WriteLineAsync($"  error: {failure.Message}");
                }
            }

            return 0;
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
            await error.WriteLineAsync(JsonErrors.Describe(PolicyFiles.Display(file), ex));
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
                await error.WriteLineAsync($"{PolicyFiles.Display(file)}:1:1: error: {ex.Message}");
                return null;
            }
        }
    }

    private static string Describe(PolicySet policies, string id) =>
        policies.TryGetPolicy(id, out var policy) && policy.Source is not null
            ? $"{id} ({PolicyFiles.Display(new FileInfo(policy.Source))}:{policy.Line}:{policy.Column})"
            : id;
}
