using System.Text;

namespace Mandate.Cedar.Tests.Schemas;

/// <summary>Random and mutated input never makes the schema parsers or the validator fail with anything but their own errors.</summary>
public sealed class SchemaFuzzTests
{
    private const string Seed = """
        namespace N { type T = { a: Long, b?: Set<String> }; @doc("x") entity A in [B] = { t: T, e: B } tags ipaddr; entity B;
        entity C enum ["x", "y"]; action "r" appliesTo { principal: [A], resource: B, context: T };
        action w in ["r"] appliesTo { principal: [A], resource: B, context: T }; }
        entity D { n: N::A };
        """;

    private static readonly char[] Alphabet = "{}[]<>();:,=?@\"\\ \nentityactiontypeSetnamespaceinappliesTo_abAB019::".ToCharArray();

    private static string Mutate(Random random, string text, int maxEdits = 5)
    {
        var builder = new StringBuilder(text);
        int edits = random.Next(1, maxEdits + 1);
        for (int i = 0; i < edits && builder.Length > 0; i++)
        {
            int at = random.Next(builder.Length);
            switch (random.Next(3))
            {
                case 0:
                    builder.Remove(at, Math.Min(random.Next(1, 8), builder.Length - at));
                    break;
                case 1:
                    builder.Insert(at, Alphabet[random.Next(Alphabet.Length)]);
                    break;
                default:
                    builder[at] = Alphabet[random.Next(Alphabet.Length)];
                    break;
            }
        }

        return builder.ToString();
    }

    [Fact]
    public void MutatedCedarSchemas_ShouldParseOrFailWithADiagnostic()
    {
        var random = new Random(1234);
        for (int i = 0; i < 1500; i++)
        {
            string text = Mutate(random, Seed);
            try
            {
                Schema.Parse(text);
            }
            catch (CedarParseException ex)
            {
                Assert.NotEmpty(ex.Diagnostics);
            }
        }
    }

    [Fact]
    public void MutatedJsonSchemas_ShouldParseOrFailWithADiagnostic()
    {
        var random = new Random(99);
        string seed = """
            {"N": {"commonTypes": {"T": {"type": "Record", "attributes": {"a": {"type": "Long"}, "b": {"type": "Set", "element": {"type": "String"}, "required": false}}}},
             "entityTypes": {"A": {"memberOfTypes": ["B"], "shape": {"type": "Record", "attributes": {"t": {"type": "T"}}}, "tags": {"type": "Extension", "name": "ipaddr"}},
                             "B": {}, "C": {"enum": ["x"]}},
             "actions": {"r": {"appliesTo": {"principalTypes": ["A"], "resourceTypes": ["B"], "context": {"type": "T"}}}, "w": {"memberOf": [{"id": "r"}]}}}}
            """;
        for (int i = 0; i < 1500; i++)
        {
            string text = Mutate(random, seed);
            try
            {
                Schema.ParseJson(text);
            }
            catch (CedarParseException ex)
            {
                Assert.NotEmpty(ex.Diagnostics);
            }
        }
    }

    [Fact]
    public void RandomBytes_ShouldNeverCrashTheSchemaParsers()
    {
        var random = new Random(7);
        for (int i = 0; i < 2000; i++)
        {
            var bytes = new byte[random.Next(0, 200)];
            random.NextBytes(bytes);
            string text = Encoding.UTF8.GetString(bytes);
            Assert.ThrowsAny<CedarParseException>(() => Schema.Parse("entity " + text));
            try
            {
                Schema.ParseJson(text);
            }
            catch (CedarParseException)
            {
            }
        }
    }

    [Fact]
    public void DeeplyNestedSchemas_ShouldParseOrFailWithADiagnostic()
    {
        // Deep enough to exhaust a default thread stack without the parser's stack guard.
        string deep = "entity A { a: " + string.Concat(Enumerable.Repeat("{ a: ", 30_000)) + "Long" + new string('}', 30_000) + " };";
        try
        {
            Schema.Parse(deep);
        }
        catch (CedarParseException ex)
        {
            Assert.Contains("too deeply", ex.Diagnostics[0].Message, StringComparison.Ordinal);
        }

        string chain = string.Concat(Enumerable.Range(0, 30_000).Select(i => $"type T{i} = T{i + 1};\n")) + "type T30000 = Long; entity E { a: T0 };";
        try
        {
            Schema.Parse(chain);
        }
        catch (CedarParseException ex)
        {
            Assert.NotEmpty(ex.Diagnostics);
        }
    }

    [Fact]
    public void MutatedPolicies_ShouldNeverCrashTheValidator()
    {
        var schema = Schema.Parse(Seed);
        var random = new Random(42);
        string seedPolicy = """
            permit(principal is N::A in N::B::"b", action in [N::Action::"r"], resource) when {
              principal.t.a > 1 && (principal.t has b && principal.t.b.contains("x")) || principal.hasTag("k") && principal.getTag("k").isIpv4()
            } unless { if context.a == 2 then [1, 2].containsAny([3]) else ip("1.2.3.4").isLoopback() };
            """;
        int parsed = 0;
        for (int i = 0; i < 1500; i++)
        {
            string text = Mutate(random, seedPolicy, maxEdits: 1);
            if (!PolicySet.TryParse(text, null, out var set, out _))
            {
                continue;
            }

            parsed++;
            Validator.Validate(set, schema);
            Validator.Validate(set, schema, ValidationMode.Permissive);
        }

        Assert.True(parsed > 50, $"only {parsed} mutants parsed");
    }
}
