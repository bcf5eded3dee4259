using System.Globalization;
using System.Text.Json;
using Mandate.Benchmarks.Cedar.Apps;
using Mandate.Benchmarks.Cedar.Model;

namespace Mandate.Benchmarks.Cedar.Corpus;

/// <summary>
/// Writes a benchmark corpus that both engines read: <c>manifest.json</c>, and per app <c>policies.cedar</c>,
/// <c>schema.cedarschema</c> and one JSON file per set. A set file is
/// <c>{"hierarchies":[{"entities":[…Cedar entity JSON…],"requests":[{"principal","action","resource","context","slice"?}]}]}</c>;
/// <c>slice</c> (agent sets only) lists the entities that request can reach, for engines that take entities per call.
/// </summary>
public static class CorpusExporter
{
    public static CorpusManifest Export(string directory, CorpusOptions options, TextWriter? log = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(options);
        Directory.CreateDirectory(directory);
        var apps = new List<ManifestApp>();
        foreach (var appName in options.Apps)
        {
            switch (appName)
            {
                case CorpusOptions.AgentsApp:
                    apps.Add(ExportAgents(directory, options, log));
                    break;
                case CorpusOptions.ScalingApps:
                    apps.AddRange(ExportScaling(directory, options, log));
                    break;
                default:
                    apps.Add(ExportPaperApp(directory, PaperApp.Named(appName), options, log));
                    break;
            }
        }
        var manifest = new CorpusManifest(options.Seed, options.Hierarchies, options.RequestsPerHierarchy, apps);
        File.WriteAllText(Path.Combine(directory, "manifest.json"), JsonSerializer.Serialize(manifest, ManifestJson.Default.CorpusManifest));
        return manifest;
    }

    private static ManifestApp ExportPaperApp(string root, PaperApp app, CorpusOptions options, TextWriter? log)
    {
        var appDirectory = Path.Combine(root, app.Name);
        Directory.CreateDirectory(appDirectory);
        File.WriteAllText(Path.Combine(appDirectory, "policies.cedar"), app.PolicyText);
        File.WriteAllText(Path.Combine(appDirectory, "schema.cedarschema"), app.SchemaText);
        var sets = new List<ManifestSet>();
        foreach (var n in options.EntitiesPerType)
        {
            var file = $"n{n.ToString(CultureInfo.InvariantCulture)}.json";
            var hierarchies = Enumerable.Range(0, options.Hierarchies)
                .Select(i => app.Generate(n, options.RequestsPerHierarchy, i, options.Seed));
            var stats = WriteSet(Path.Combine(appDirectory, file), hierarchies, slicer: null);
            sets.Add(new ManifestSet($"n{n}", n, $"{app.Name}/{file}", stats.Hierarchies, stats.Requests, stats.Entities, Sliced: false));
            log?.WriteLine($"{app.Name} n={n}: {stats.Hierarchies} hierarchies, {stats.Requests} requests, {stats.Entities} entities");
        }
        return new ManifestApp(app.Name, $"{app.Name}/policies.cedar", $"{app.Name}/schema.cedarschema", AgentToolModel.CountPolicies(app.PolicyText), sets);
    }

    private static ManifestApp ExportAgents(string root, CorpusOptions options, TextWriter? log)
    {
        var model = new AgentToolModel(options.Seed);
        var appDirectory = Path.Combine(root, AgentToolModel.Name);
        Directory.CreateDirectory(appDirectory);
        var policies = model.Policies();
        File.WriteAllText(Path.Combine(appDirectory, "policies.cedar"), policies);
        File.WriteAllText(Path.Combine(appDirectory, "schema.cedarschema"), AgentToolModel.SchemaText);
        var hierarchy = new Hierarchy(model.Entities, model.Requests(options.AgentRequests, hotOnly: false));
        var stats = WriteSet(Path.Combine(appDirectory, "requests.json"), [hierarchy], model.Slice);
        log?.WriteLine($"agents: {AgentToolModel.CountPolicies(policies)} policies, {stats.Entities} entities, {stats.Requests} requests");
        return new ManifestApp(AgentToolModel.Name, "agents/policies.cedar", "agents/schema.cedarschema", AgentToolModel.CountPolicies(policies),
            [new ManifestSet("estate", 0, "agents/requests.json", stats.Hierarchies, stats.Requests, stats.Entities, Sliced: true)]);
    }

    private static IEnumerable<ManifestApp> ExportScaling(string root, CorpusOptions options, TextWriter? log)
    {
        var model = new AgentToolModel(options.Seed);
        var scalingDirectory = Path.Combine(root, "agents-scaling");
        Directory.CreateDirectory(scalingDirectory);
        File.WriteAllText(Path.Combine(scalingDirectory, "schema.cedarschema"), AgentToolModel.SchemaText);
        var hierarchy = new Hierarchy(model.Entities, model.Requests(options.AgentRequests, hotOnly: true));
        var stats = WriteSet(Path.Combine(scalingDirectory, "hot-requests.json"), [hierarchy], model.Slice);
        foreach (var total in options.ScalingPolicyCounts)
        {
            var name = $"agents-{total.ToString(CultureInfo.InvariantCulture)}";
            File.WriteAllText(Path.Combine(scalingDirectory, $"{name}.cedar"), model.ScalingPolicies(total));
            log?.WriteLine($"{name}: {total} policies, {stats.Entities} entities, {stats.Requests} requests by hot agents");
            yield return new ManifestApp(name, $"agents-scaling/{name}.cedar", "agents-scaling/schema.cedarschema", total,
                [new ManifestSet("hot", 0, "agents-scaling/hot-requests.json", stats.Hierarchies, stats.Requests, stats.Entities, Sliced: true)]);
        }
    }

    private static (int Hierarchies, int Requests, int Entities) WriteSet(
        string path,
        IEnumerable<Hierarchy> hierarchies,
        Func<GeneratedRequest, IReadOnlyList<GeneratedEntity>>? slicer)
    {
        int hierarchyCount = 0, requestCount = 0, entityCount = 0;
        using var stream = File.Create(path);
        using var writer = new Utf8JsonWriter(stream);
        writer.WriteStartObject();
        writer.WriteStartArray("hierarchies");
        foreach (var hierarchy in hierarchies)
        {
            hierarchyCount++;
            entityCount += hierarchy.Entities.Count;
            writer.WriteStartObject();
            writer.WritePropertyName("entities");
            CedarJson.WriteEntities(writer, hierarchy.Entities);
            writer.WriteStartArray("requests");
            foreach (var request in hierarchy.Requests)
            {
                requestCount++;
                if (slicer is null)
                {
                    CedarJson.WriteRequest(writer, request);
                    continue;
                }
                // The request object with one more member: the entity slice for per-call engines.
                writer.WriteStartObject();
                writer.WritePropertyName("principal");
                CedarJson.WriteUid(writer, request.Principal);
                writer.WritePropertyName("action");
                CedarJson.WriteUid(writer, request.Action);
                writer.WritePropertyName("resource");
                CedarJson.WriteUid(writer, request.Resource);
                writer.WritePropertyName("context");
                CedarJson.WriteValue(writer, new RecordValue(request.Context));
                writer.WritePropertyName("slice");
                CedarJson.WriteEntities(writer, slicer(request));
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.Flush();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
        return (hierarchyCount, requestCount, hierarchyCount == 0 ? 0 : entityCount / hierarchyCount);
    }
}
