using System.Text.Json;
using Mandate.Benchmarks.Cedar.Corpus;
using Mandate.Cedar;

namespace Mandate.Benchmarks.Corpus;

/// <summary>One hierarchy of a set, loaded for Mandate.Cedar: its entity JSON, the parsed store and the requests.</summary>
internal sealed record LoadedHierarchy(string EntitiesJson, Entities Entities, IReadOnlyList<LoadedRequest> Requests);

/// <summary>A request ready to decide, and (agent sets) the JSON of the entities it can reach.</summary>
internal sealed record LoadedRequest(Request Request, string? SliceJson);

/// <summary>Reads an exported corpus into Mandate.Cedar objects (all parsing happens here, outside any timing).</summary>
internal static class CorpusReader
{
    public static CorpusManifest ReadManifest(string directory)
    {
        var path = Path.Combine(directory, "manifest.json");
        if (!File.Exists(path))
        {
            throw new UsageException($"{path}: no corpus manifest here; write one with `export {directory}` first.");
        }
        return JsonSerializer.Deserialize(File.ReadAllText(path), ManifestReading.Default.CorpusManifest)
            ?? throw new UsageException($"{path}: empty manifest.");
    }

    public static (PolicySet Policies, Schema Schema) ReadApp(string directory, ManifestApp app)
    {
        var policyPath = Path.Combine(directory, app.Policies);
        var schemaPath = Path.Combine(directory, app.Schema);
        return (PolicySet.Parse(File.ReadAllText(policyPath), policyPath), Schema.Parse(File.ReadAllText(schemaPath), schemaPath));
    }

    public static IReadOnlyList<LoadedHierarchy> ReadSet(string directory, ManifestSet set, Schema schema)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(directory, set.File)));
        var hierarchies = new List<LoadedHierarchy>();
        foreach (var hierarchy in document.RootElement.GetProperty("hierarchies").EnumerateArray())
        {
            var entitiesJson = hierarchy.GetProperty("entities").GetRawText();
            var requests = new List<LoadedRequest>();
            foreach (var request in hierarchy.GetProperty("requests").EnumerateArray())
            {
                var action = Uid(request.GetProperty("action"));
                requests.Add(new LoadedRequest(
                    new Request(Uid(request.GetProperty("principal")), action, Uid(request.GetProperty("resource")),
                        Context.FromJson(request.GetProperty("context"), schema, action)),
                    request.TryGetProperty("slice", out var slice) ? slice.GetRawText() : null));
            }
            hierarchies.Add(new LoadedHierarchy(entitiesJson, Entities.ParseJson(entitiesJson, schema), requests));
        }
        return hierarchies;
    }

    private static EntityUid Uid(JsonElement element) =>
        new(element.GetProperty("type").GetString()!, element.GetProperty("id").GetString()!);
}
