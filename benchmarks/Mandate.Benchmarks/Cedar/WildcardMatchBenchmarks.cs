using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Mandate.Benchmarks.Cedar.Comparators;
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
/// The comparator in each category is the single-backtrack-point matcher (<see cref="BacktrackingWildcard"/>) alone on
/// the same pattern and input: it is only the matching step, so the ratio understates the old whole-decision cost.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
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
    private string text = null!;
    private (string Pattern, bool[] IsWildcard) longRunPattern;
    private (string Pattern, bool[] IsWildcard) manyStarsPattern;
    private (string Pattern, bool[] IsWildcard) globCompiled;

    [GlobalSetup]
    public void Setup()
    {
        // "aaaa…a" never contains the "b", but every position starts a near-match of the run of a's.
        var run = new string('a', 1_000) + "b";
        var stars = string.Concat(Enumerable.Repeat("*a", 500)) + "*b";
        longRun = PolicySet.Parse($$"""permit (principal, action, resource) when { context.text like "*{{run}}*" };""");
        manyStars = PolicySet.Parse($$"""permit (principal, action, resource) when { context.text like "{{stars}}" };""");
        text = new string('a', ContextChars);
        context = new Dictionary<string, CedarValue>(StringComparer.Ordinal) { ["text"] = CedarValue.String(text) };
        globPattern = string.Concat(Enumerable.Repeat("*a", 255)) + "*b";
        globId = new string('a', 256);
        longRunPattern = BacktrackingWildcard.Compile("*" + run + "*");
        manyStarsPattern = BacktrackingWildcard.Compile(stars);
        globCompiled = BacktrackingWildcard.Compile(globPattern);
    }

    [Benchmark(Baseline = true), BenchmarkCategory("like-long-run")]
    public bool BacktrackingLongLiteralRun() => BacktrackingWildcard.Matches(longRunPattern.Pattern, longRunPattern.IsWildcard, text);

    [Benchmark(Baseline = true), BenchmarkCategory("like-many-stars")]
    public bool BacktrackingManyStars() => BacktrackingWildcard.Matches(manyStarsPattern.Pattern, manyStarsPattern.IsWildcard, text);

    [Benchmark(Baseline = true), BenchmarkCategory("task-glob")]
    public bool BacktrackingTaskGlob() => BacktrackingWildcard.Matches(globCompiled.Pattern, globCompiled.IsWildcard, globId);

    [Benchmark, BenchmarkCategory("like-long-run")]
    public bool LikeLongLiteralRun() =>
        Authorizer.IsAuthorized(new Request(principal, action, resource, context), longRun, Entities.Empty).Decision == Decision.Allow;

    [Benchmark, BenchmarkCategory("like-many-stars")]
    public bool LikeManyStars() =>
        Authorizer.IsAuthorized(new Request(principal, action, resource, context), manyStars, Entities.Empty).Decision == Decision.Allow;

    [Benchmark, BenchmarkCategory("task-glob")]
    public bool TaskGlobAtTheBounds() => TaskScope.Covers("Doc::\"" + globPattern + "\"", new EntityUid("Doc", globId));
}
