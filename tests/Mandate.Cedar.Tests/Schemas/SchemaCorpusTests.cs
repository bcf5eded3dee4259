using Mandate.Cedar.Schemas;

namespace Mandate.Cedar.Tests.Schemas;

public sealed class SchemaCorpusTests
{
    [Fact]
    public void EveryCorpusSchema_ShouldParse_AndMatchItsJsonTranslation()
    {
        var failures = new List<string>();
        int compared = 0;
        foreach (var dir in CorpusPaths.Cases())
        {
            string name = Path.GetFileName(dir);
            Schema text;
            try
            {
                text = Schema.Parse(File.ReadAllText(Path.Combine(dir, "schema.cedarschema")), "schema.cedarschema");
            }
            catch (CedarParseException ex)
            {
                failures.Add($"{name}: cedarschema: {ex.Message}");
                continue;
            }

            string jsonPath = Path.Combine(dir, "schema.json");
            if (!File.Exists(jsonPath))
            {
                continue;
            }

            try
            {
                var json = Schema.ParseJson(File.ReadAllText(jsonPath), "schema.json");
                compared++;
                if (SchemaEquivalence.Difference(text.Model, json.Model) is { } difference)
                {
                    failures.Add($"{name}: {difference}");
                }
            }
            catch (CedarParseException ex)
            {
                failures.Add($"{name}: json: {ex.Message}");
            }
        }

        Assert.True(compared > 0, "no schema.json files were compared");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(30)) + $"\n({failures.Count} failures)");
    }
}
