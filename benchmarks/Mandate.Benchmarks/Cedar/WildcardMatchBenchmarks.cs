using BenchmarkDotNet.Attributes;
using Mandate.Cedar;
using Mandate.Core.Decisions;

namespace Mandate.Benchmarks.Cedar;

/// <summary>
/// The worst cases of wildcard matching at the bounds the decision point enforces (M2 of the security review): a Cedar
/// <c>like</c> over a context string of 32 KiB (<c>Mandate:Decisions:MaxContextBytes</c>) against patterns that made
/// the old last-star backtracking O(n·m) — a long literal run after a star that almost matches everywhere, and many
/// single-character runs — and a task resource glob of 512 characters (the intent bound) over a resource id of 256
/// (<c>MaxIdentifierLength</c>). Target: a whole decision in well under a millisecond; the <c>like</c> matcher is
/// O(n + m) (KMP per literal run), so the cost follows the input's length, not its product with the pattern's.
/// </summary>
[MemoryDiagnoser]
public class WildcardMatchBenchmarks
{
    private const int ContextChars = 32 * 1024;

    private readonly EntityUid principal = new("User", "alice");
    private readonly EntityUid action = new("Action", "read");
    private readonly EntityUid resource = new("Doc", "d");
    private PolicySet longRun = null!;
    private PolicySet manyStars = null!;
    private Dictionary<string, CedarValue> context = null!;
    private string globPattern = null!;
    private string globId = null!;

    [GlobalSetup]
    public void Setup()
    {
        // "aaaa…a" never contains the "b", but every position starts a near-match of the run of a's.
        var run = new string('a', 1_000) + "b";
        longRun = PolicySet.Parse($$"""permit (principal, action, resource) when { context.text like "*{{run}}*" };""");
        manyStars = PolicySet.Parse($$"""permit (principal, action, resource) when { context.text like "{{string.Concat(Enumerable.Repeat("*a", 500))}}*b" };""");
        context = new Dictionary<string, CedarValue>(StringComparer.Ordinal) { ["text"] = CedarValue.String(new string('a', ContextChars)) };
        globPattern = string.Concat(Enumerable.Repeat("*a", 255)) + "*b";
        globId = new string('a', 256);
    }

    [Benchmark]
    public bool LikeLongLiteralRun() =>
        Authorizer.IsAuthorized(new Request(principal, action, resource, context), longRun, Entities.Empty).Decision == Decision.Allow;

    [Benchmark]
    public bool LikeManyStars() =>
        Authorizer.IsAuthorized(new Request(principal, action, resource, context), manyStars, Entities.Empty).Decision == Decision.Allow;

    [Benchmark]
    public bool TaskGlobAtTheBounds() => TaskScope.Covers("Doc::\"" + globPattern + "\"", new EntityUid("Doc", globId));
}
