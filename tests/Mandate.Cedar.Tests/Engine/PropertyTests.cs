using System.Text;
using Mandate.Cedar.Syntax;
using Mandate.Cedar.Tests.Schemas;

namespace Mandate.Cedar.Tests.Engine;

/// <summary>Seeded, bounded property tests: the parser, formatter and evaluator never crash, and formatting round-trips.</summary>
public sealed class PropertyTests
{
    private static readonly EntityUid Alice = new("User", "alice");

    private static IEnumerable<string> CorpusPolicyTexts()
    {
        var root = CorpusPaths.Root() ?? throw new InvalidOperationException("tests/conformance/cedar not found");
        return Directory.EnumerateFiles(root, "policies.cedar", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(File.ReadAllText);
    }

    private static string Dump(string text)
    {
        var errors = new List<SyntaxError>();
        var policies = Parser.ParsePolicies(text, errors, out _);
        Assert.True(errors.Count == 0, $"{string.Join("; ", errors)} in:\n{text}");
        return string.Join("\n", policies.Select(p => p.Dump()));
    }

    [Fact]
    public void Format_ShouldRoundTripToAnEqualTree_AndBeIdempotent_ForEveryCorpusPolicy()
    {
        var count = 0;
        foreach (var text in CorpusPolicyTexts())
        {
            var formatted = Formatter.Format(text);
            Assert.Equal(Dump(text), Dump(formatted));
            Assert.Equal(formatted, Formatter.Format(formatted));
            count++;
        }

        Assert.True(count > 1000);
    }

    [Fact]
    public void Parser_ShouldNeverThrow_OnRandomBytes()
    {
        var random = new Random(20261123);
        for (var i = 0; i < 3000; i++)
        {
            var bytes = new byte[random.Next(0, 200)];
            random.NextBytes(bytes);
            AssertParsesOrReportsErrors(Encoding.UTF8.GetString(bytes));
        }
    }

    [Fact]
    public void ParserFormatterAndEvaluator_ShouldNeverThrow_OnMutatedPolicies()
    {
        var random = new Random(42);
        var seeds = CorpusPolicyTexts().Take(400).ToList();
        const string alphabet = "()[]{}.,;:!-+*<>=&|\"\\?@ ai01_x";
        string[] fragments = ["principal", "resource", "context", "action", "has", "like", "is", "in", "if", "then", "else", "when", "unless",
            "::", "\"", "\\u{", "*", "[", "]", "9223372036854775807", "-9223372036854775808", ".isEmpty()", ".getTag(\"a\")", "ip(\"1.2.3.4\")", "true", "&&", "||"];
        var entities = Entities.Create([new Entity(Alice, new Dictionary<string, CedarValue> { ["a"] = CedarValue.Long(1) })]);
        var parsedCount = 0;
        for (var i = 0; i < 2500; i++)
        {
            var builder = new StringBuilder(seeds[random.Next(seeds.Count)]);
            var mutations = random.Next(1, 4);
            for (var m = 0; m < mutations && builder.Length > 0; m++)
            {
                var position = random.Next(builder.Length);
                switch (random.Next(4))
                {
                    case 0:
                        builder.Remove(position, Math.Min(random.Next(1, 6), builder.Length - position));
                        break;
                    case 1:
                        builder.Insert(position, alphabet[random.Next(alphabet.Length)]);
                        break;
                    case 2:
                        builder.Insert(position, fragments[random.Next(fragments.Length)]);
                        break;
                    default:
                        builder[position] = alphabet[random.Next(alphabet.Length)];
                        break;
                }
            }

            var text = builder.ToString();
            if (!PolicySet.TryParse(text, "mutant", out var set, out var diagnostics))
            {
                Assert.NotEmpty(diagnostics);
                Assert.All(diagnostics, d => Assert.True(d.Line >= 1 && d.Column >= 1));
                continue;
            }

            parsedCount++;
            var response = Authorizer.IsAuthorized(new Request(Alice, new EntityUid("Action", "action"), Alice), set, entities);
            Assert.NotNull(response);
            Assert.Equal(Dump(text), Dump(Formatter.Format(text)));
        }

        Assert.True(parsedCount > 100, $"only {parsedCount} mutants parsed");
    }

    [Theory]
    [InlineData("(", ")", 100_000)]
    [InlineData("[", "]", 100_000)]
    [InlineData("{a:", "}", 50_000)]
    [InlineData("if true then ", " else 1", 50_000)]
    [InlineData("ip(", ")", 50_000)]
    [InlineData("!(", ")", 50_000)]
    public void Parser_ShouldReportAnError_NotOverflowTheStack_OnDeepNesting(string open, string close, int depth)
    {
        var text = "permit(principal, action, resource) when { " + string.Concat(Enumerable.Repeat(open, depth)) + "true" + string.Concat(Enumerable.Repeat(close, depth)) + " };";
        Assert.False(PolicySet.TryParse(text, "deep", out _, out var diagnostics));
        Assert.Contains("nested", diagnostics[0].Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(" || true", 100_000)]
    [InlineData(" + 1", 100_000)]
    [InlineData(".a", 100_000)]
    [InlineData("[\"a\"]", 100_000)]
    [InlineData(".contains(1)", 100_000)]
    public void Parser_ShouldBoundLongOperatorChains(string repeated, int count)
    {
        var text = "permit(principal, action, resource) when { context" + string.Concat(Enumerable.Repeat(repeated, count)) + " };";
        Assert.False(PolicySet.TryParse(text, "long", out _, out var diagnostics));
        Assert.Contains("nested", diagnostics[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluator_ShouldHandleTheDeepestAcceptedChain()
    {
        var text = "permit(principal, action, resource) when { 0" + string.Concat(Enumerable.Repeat(" + 1", Parser.MaxTreeDepth - 2)) + " > 0 };";
        var set = PolicySet.Parse(text);
        var response = Authorizer.IsAuthorized(new Request(Alice, Alice, Alice), set, Entities.Empty);
        Assert.Equal(Decision.Allow, response.Decision);
        Assert.Equal(Dump(text), Dump(Formatter.Format(text)));
    }

    private static void AssertParsesOrReportsErrors(string text)
    {
        if (!PolicySet.TryParse(text, "random", out _, out var diagnostics))
        {
            Assert.NotEmpty(diagnostics);
        }
    }
}
