using Mandate.Benchmarks.Cedar.Apps;
using Mandate.Benchmarks.Cedar.Corpus;
using Mandate.Benchmarks.Cedar.Model;
using Mandate.Cedar;

namespace Mandate.Benchmarks.Cedar;

/// <summary>A decision to make: the request and the entity store it is asked against.</summary>
internal readonly record struct PreparedDecision(Request Request, Entities Entities);

/// <summary>
/// Generated data turned into Mandate.Cedar objects through the same JSON the exporter writes, so the
/// BenchmarkDotNet runs see exactly the data of <c>export</c> (the first hierarchies of each set).
/// </summary>
internal static class PreparedCorpus
{
    public static Schema Schema(string text, string source) => global::Mandate.Cedar.Schema.Parse(text, source);

    public static Entities Entities(IEnumerable<GeneratedEntity> entities, Schema schema) =>
        global::Mandate.Cedar.Entities.ParseJson(CedarJson.EntitiesToJson(entities), schema);

    public static Request Request(GeneratedRequest request, Schema schema)
    {
        var action = Uid(request.Action);
        return new Request(Uid(request.Principal), action, Uid(request.Resource), Context.FromJson(CedarJson.ContextToJson(request.Context), schema, action));
    }

    public static PreparedDecision[] PaperDecisions(PaperApp app, int entitiesPerType, int hierarchies, int requestsPerHierarchy, Schema schema)
    {
        var decisions = new List<PreparedDecision>();
        for (var i = 0; i < hierarchies; i++)
        {
            var hierarchy = app.Generate(entitiesPerType, requestsPerHierarchy, i);
            var entities = Entities(hierarchy.Entities, schema);
            decisions.AddRange(hierarchy.Requests.Select(r => new PreparedDecision(Request(r, schema), entities)));
        }
        return [.. decisions];
    }

    private static EntityUid Uid(Uid uid) => new(uid.Type, uid.Id);
}
