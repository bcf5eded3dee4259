using System.Text.Json;
using Mandate.Cedar.Json;

namespace Mandate.Cedar.Conformance;

/// <summary>
/// Runs a Cedar conformance corpus laid out like <c>tests/conformance/cedar</c> (see its README): every folder holding a
/// <c>tests.json</c> is a case; its schema, policies (ids <c>policy0…</c>) and entities are loaded with the schema's
/// typing, the policies are validated strictly, and each request's decision, reasons and erroring policies are compared
/// as sets. Shared by the test suite and <c>mandate policy test</c>.
/// </summary>
internal static class CorpusRunner
{
    /// <summary>Case folders under <paramref name="root"/> (any depth), as paths relative to it, in ordinal order.</summary>
    public static IReadOnlyList<string> FindCases(string root)
    {
        var full = Path.GetFullPath(root);
        return Directory.EnumerateFiles(full, "tests.json", SearchOption.AllDirectories)
            .Select(file => Path.GetRelativePath(full, Path.GetDirectoryName(file)!).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    public static CorpusReport Run(string root, bool useJsonSchema = false, Action<string, bool>? progress = null)
    {
        var passed = 0;
        var failed = 0;
        var failures = new List<CorpusFailure>();
        foreach (var id in FindCases(root))
        {
            var caseFailures = RunCase(root, id, useJsonSchema);
            if (caseFailures.Count == 0)
            {
                passed++;
            }
            else
            {
                failed++;
                failures.AddRange(caseFailures);
            }

            progress?.Invoke(id, caseFailures.Count == 0);
        }

        return new CorpusReport(passed, failed, failures);
    }

    /// <summary>Runs one case and returns its mismatches (empty when it passes). Never throws for bad case data.</summary>
    public static List<CorpusFailure> RunCase(string root, string id, bool useJsonSchema = false)
    {
        var failures = new List<CorpusFailure>();
        CorpusCase corpusCase;
        try
        {
            corpusCase = Load(root, id, useJsonSchema);
        }
        catch (Exception ex) when (ex is CedarException or IOException or JsonException or UnauthorizedAccessException or InvalidDataException)
        {
            failures.Add(new CorpusFailure(id, "(load)", "the case loads", ex.Message));
            return failures;
        }

        var entityProblems = corpusCase.Schema.ValidateEntities(corpusCase.Entities);
        if (entityProblems.Count > 0)
        {
            failures.Add(new CorpusFailure(id, "(entities)", "entities conform to the schema", string.Join("; ", entityProblems)));
        }

        var validation = Validator.Validate(corpusCase.Policies, corpusCase.Schema, ValidationMode.Strict);
        if (validation.IsValid != corpusCase.ShouldValidate)
        {
            var actual = validation.IsValid ? "valid" : "invalid: " + string.Join("; ", validation.Errors.Select(e => e.ToString()));
            failures.Add(new CorpusFailure(id, "(validate)", corpusCase.ShouldValidate ? "valid" : "invalid", actual));
        }

        foreach (var request in corpusCase.Requests)
        {
            if (request.ValidateRequest)
            {
                var problems = corpusCase.Schema.ValidateRequest(request.Request);
                if (problems.Count > 0)
                {
                    failures.Add(new CorpusFailure(id, request.Description, "the request conforms to the schema", string.Join("; ", problems)));
                    continue;
                }
            }

            var response = Authorizer.IsAuthorized(request.Request, corpusCase.Policies, corpusCase.Entities);
            var errors = response.Errors.Select(e => e.PolicyId).ToHashSet(StringComparer.Ordinal);
            if (response.Decision != request.Decision
                || !response.Reasons.ToHashSet(StringComparer.Ordinal).SetEquals(request.Reasons)
                || !errors.SetEquals(request.Errors))
            {
                failures.Add(new CorpusFailure(
                    id,
                    request.Description,
                    Describe(request.Decision, request.Reasons, request.Errors),
                    Describe(response.Decision, response.Reasons, errors) + Messages(response)));
            }
        }

        return failures;
    }

    /// <summary>Loads and prepares one case; throws <see cref="CedarException"/> (or an I/O error) when it cannot.</summary>
    public static CorpusCase Load(string root, string id, bool useJsonSchema = false)
    {
        var directory = Path.Combine(Path.GetFullPath(root), id);
        using var document = CedarJsonReader.ParseDocument(File.ReadAllText(Path.Combine(directory, "tests.json")), $"{id}/tests.json");
        var test = document.RootElement;
        string PathOf(string property) =>
            test.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
                ? Path.Combine(directory, value.GetString()!)
                : throw new CedarException($"{id}/tests.json: missing \"{property}\"");

        var schemaPath = PathOf("schema");
        if (useJsonSchema && File.Exists(Path.Combine(directory, "schema.json")))
        {
            schemaPath = Path.Combine(directory, "schema.json");
        }

        var schemaText = File.ReadAllText(schemaPath);
        var schema = schemaPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
            ? Schema.ParseJson(schemaText, schemaPath)
            : Schema.Parse(schemaText, schemaPath);
        var policiesPath = PathOf("policies");
        var policies = PolicySet.Parse(File.ReadAllText(policiesPath), policiesPath);
        var entities = Entities.ParseJson(File.ReadAllText(PathOf("entities")), schema);
        var shouldValidate = !test.TryGetProperty("shouldValidate", out var sv) || sv.ValueKind != JsonValueKind.False;

        var requests = new List<CorpusRequest>();
        if (test.TryGetProperty("requests", out var requestArray) && requestArray.ValueKind == JsonValueKind.Array)
        {
            var index = 0;
            foreach (var element in requestArray.EnumerateArray())
            {
                requests.Add(ReadRequest(element, schema, $"{id} request {index}"));
                index++;
            }
        }

        return new CorpusCase(id, schema, policies, entities, shouldValidate, requests);
    }

    private static CorpusRequest ReadRequest(JsonElement element, Schema schema, string where)
    {
        var description = element.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()! : where;
        var principal = CedarJsonReader.ReadUid(Required(element, "principal", where), $"{where}, principal");
        var action = CedarJsonReader.ReadUid(Required(element, "action", where), $"{where}, action");
        var resource = CedarJsonReader.ReadUid(Required(element, "resource", where), $"{where}, resource");
        IReadOnlyDictionary<string, CedarValue> context = element.TryGetProperty("context", out var c) && c.ValueKind != JsonValueKind.Null
            ? Context.FromJson(c, schema, action)
            : new Dictionary<string, CedarValue>(StringComparer.Ordinal);
        var validate = !element.TryGetProperty("validateRequest", out var v) || v.ValueKind != JsonValueKind.False;
        var decision = Required(element, "decision", where).GetString() switch
        {
            "allow" or "Allow" => Decision.Allow,
            "deny" or "Deny" => Decision.Deny,
            var other => throw new CedarException($"{where}: unknown decision \"{other}\""),
        };
        return new CorpusRequest(description, new Request(principal, action, resource, context), validate, decision, Strings(element, "reason"), Strings(element, "errors"));
    }

    private static JsonElement Required(JsonElement element, string property, string where) =>
        element.TryGetProperty(property, out var value) ? value : throw new CedarException($"{where}: missing \"{property}\"");

    private static List<string> Strings(JsonElement element, string property)
    {
        var result = new List<string>();
        if (element.TryGetProperty(property, out var array) && array.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in array.EnumerateArray())
            {
                // Upstream lists error ids either as strings or as {"policyId": ..} objects, depending on the version.
                if (item.ValueKind == JsonValueKind.String)
                {
                    result.Add(item.GetString()!);
                }
                else if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("policyId", out var policyId))
                {
                    result.Add(policyId.GetString()!);
                }
            }
        }

        return result;
    }

    private static string Describe(Decision decision, IEnumerable<string> reasons, IEnumerable<string> errors) =>
        $"{(decision == Decision.Allow ? "allow" : "deny")} reasons=[{string.Join(",", reasons.Order(StringComparer.Ordinal))}] errors=[{string.Join(",", errors.Order(StringComparer.Ordinal))}]";

    private static string Messages(Response response) =>
        response.Errors.Count == 0 ? "" : " (" + string.Join("; ", response.Errors.Select(e => e.Message)) + ")";
}
