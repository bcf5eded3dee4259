using System.Text.Json;

namespace Mandate.Cedar.Tests.Schemas;

public sealed class DataCorpusTests
{
    private static EntityUid ReadUid(JsonElement element)
    {
        if (element.TryGetProperty("__entity", out var inner))
        {
            element = inner;
        }

        return new EntityUid(element.GetProperty("type").GetString()!, element.GetProperty("id").GetString()!);
    }

    [Fact]
    public void EveryCorpusEntityStoreAndRequest_ShouldConformToItsSchema()
    {
        var failures = new List<string>();
        int requests = 0;
        foreach (var dir in CorpusPaths.Cases())
        {
            string name = Path.GetFileName(dir);
            var schema = Schema.Parse(File.ReadAllText(Path.Combine(dir, "schema.cedarschema")));
            Entities entities;
            try
            {
                entities = Entities.ParseJson(File.ReadAllText(Path.Combine(dir, "entities.json")), schema);
            }
            catch (CedarException ex)
            {
                failures.Add($"{name}: entities: {ex.Message}");
                continue;
            }

            foreach (var problem in schema.ValidateEntities(entities))
            {
                failures.Add($"{name}: {problem}");
            }

            using var tests = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "tests.json")));
            foreach (var request in tests.RootElement.GetProperty("requests").EnumerateArray())
            {
                if (request.TryGetProperty("validateRequest", out var validate) && !validate.GetBoolean())
                {
                    continue;
                }

                var action = ReadUid(request.GetProperty("action"));
                try
                {
                    var context = request.TryGetProperty("context", out var c) ? Context.FromJson(c, schema, action) : new Dictionary<string, CedarValue>();
                    var problems = schema.ValidateRequest(new Request(ReadUid(request.GetProperty("principal")), action, ReadUid(request.GetProperty("resource")), context));
                    requests++;
                    foreach (var problem in problems)
                    {
                        failures.Add($"{name}/{request.GetProperty("description").GetString()}: {problem}");
                    }
                }
                catch (CedarException ex)
                {
                    failures.Add($"{name}/{request.GetProperty("description").GetString()}: context: {ex.Message}");
                }
            }
        }

        Assert.True(requests > 0);
        Assert.True(failures.Count == 0, $"{failures.Count} failures:\n" + string.Join("\n", failures.Take(40)));
    }
}
