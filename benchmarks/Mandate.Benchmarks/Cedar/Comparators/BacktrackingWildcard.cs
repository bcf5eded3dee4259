namespace Mandate.Benchmarks.Cedar.Comparators;

/// <summary>
/// The comparator for <see cref="WildcardMatchBenchmarks"/>: greedy wildcard matching with a single backtrack point,
/// the textbook algorithm Mandate used before the security review (and that many engines still use). It is linear on
/// friendly inputs and O(n·m) on the near-matches the benchmark feeds it. Kept here, not in the engine, so the ratio
/// is measured on the same inputs in the same run.
/// </summary>
internal static class BacktrackingWildcard
{
    public static bool Matches(string pattern, bool[] isWildcard, string input)
    {
        int p = 0, s = 0, starP = -1, starS = 0;
        while (s < input.Length)
        {
            if (p < pattern.Length && isWildcard[p])
            {
                starP = p++;
                starS = s;
            }
            else if (p < pattern.Length && pattern[p] == input[s])
            {
                p++;
                s++;
            }
            else if (starP >= 0)
            {
                p = starP + 1;
                s = ++starS;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && isWildcard[p])
        {
            p++;
        }

        return p == pattern.Length;
    }

    /// <summary>A pattern written with <c>*</c> as the only wildcard, as the benchmark's Cedar patterns are.</summary>
    public static (string Pattern, bool[] IsWildcard) Compile(string starPattern) =>
        (starPattern, [.. starPattern.Select(c => c == '*')]);
}
