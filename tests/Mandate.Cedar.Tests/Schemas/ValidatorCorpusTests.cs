using System.Text.Json;

namespace Mandate.Cedar.Tests.Schemas;

public sealed class ValidatorCorpusTests
{
    [Fact]
    public void EveryCorpusCase_ShouldValidate_AsTheReferenceEngineDoes()
    {
        var failures = new List<string>();
        int checkedCases = 0;
        foreach (var dir in CorpusPaths.Cases())
        {
            string name = Path.GetFileName(dir);
            using var tests = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "tests.json")));
            bool expected = tests.RootElement.GetProperty("shouldValidate").GetBoolean();
            var schema = Schema.Parse(File.ReadAllText(Path.Combine(dir, "schema.cedarschema")), "schema.cedarschema");
            var policies = PolicySet.Parse(File.ReadAllText(Path.Combine(dir, "policies.cedar")), "policies.cedar");
            var strict = Validator.Validate(policies, schema, ValidationMode.Strict);
            checkedCases++;
            if (strict.IsValid != expected)
            {
                failures.Add($"{name}: expected {(expected ? "valid" : "invalid")}; errors: {string.Join(" | ", strict.Errors.Take(3))}");
                continue;
            }

            // Finer expectations from the reference validator (per policy, strict and permissive), where the corpus has them.
            string validationPath = Path.Combine(dir, "validation.json");
            if (!File.Exists(validationPath))
            {
                continue;
            }

            using var validation = JsonDocument.Parse(File.ReadAllText(validationPath));
            if (!validation.RootElement.TryGetProperty("policyValidation", out var policyValidation)
                || !policyValidation.TryGetProperty("perPolicy", out var perPolicy))
            {
                continue;
            }

            var permissive = Validator.Validate(policies, schema, ValidationMode.Permissive);
            foreach (var policy in perPolicy.EnumerateObject())
            {
                foreach (var (mode, result) in new[] { ("strict", strict), ("permissive", permissive) })
                {
                    bool expectedValid = policy.Value.GetProperty(mode).GetBoolean();
                    var errors = result.Errors.Where(e => e.PolicyId == policy.Name).ToList();
                    if (expectedValid != (errors.Count == 0))
                    {
                        failures.Add($"{name}/{policy.Name} ({mode}): expected {(expectedValid ? "valid" : "invalid")}; errors: {string.Join(" | ", errors.Take(3))}");
                    }
                }
            }
        }

        Assert.True(checkedCases > 0);
        Assert.True(failures.Count == 0, $"{failures.Count} failures of {checkedCases} cases:\n" + string.Join("\n", failures.Take(40)));
    }
}
