using Mandate.Cedar.Syntax;

namespace Mandate.Cedar.Tests.Engine;

/// <summary>
/// The <c>like</c> matcher (literal runs between stars, each found once with KMP) agrees with the textbook dynamic
/// program on every pattern and input of a small alphabet, literal stars included, and stays fast on the inputs that
/// made last-star backtracking quadratic.
/// </summary>
public sealed class WildcardMatchTests
{
    [Fact]
    public void Matches_ShouldAgreeWithTheDynamicProgram_OnRandomPatternsAndInputs()
    {
        var random = new Random(1234);
        const string alphabet = "ab*";
        for (var round = 0; round < 20_000; round++)
        {
            var patternLength = random.Next(0, 9);
            var text = new char[patternLength];
            var wildcards = new List<int>();
            for (var i = 0; i < patternLength; i++)
            {
                text[i] = alphabet[random.Next(alphabet.Length)];
                // A '*' in the text is a wildcard or, sometimes, a literal star (written \* in Cedar).
                if (text[i] == '*' && random.Next(4) > 0)
                {
                    wildcards.Add(i);
                }
            }

            var input = new string(Enumerable.Range(0, random.Next(0, 10)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            var pattern = new Pattern(new string(text), wildcards);
            Assert.True(
                Reference(text, [.. wildcards], input) == pattern.Matches(input),
                $"pattern {pattern} input \"{input}\"");
        }
    }

    [Fact]
    public void Matches_ShouldAnswerCorrectly_OnANearMatchEverywhere()
    {
        // 1 MB of 'a' against "*a…ab*" (a run of 5,000): backtracking did ~5·10^9 comparisons here; KMP does ~10^6.
        // The cost itself is measured in benchmarks (WildcardMatchBenchmarks), not timed here.
        var run = new string('a', 5_000) + "b";
        var pattern = new Pattern("*" + run + "*", [0, run.Length + 1]);
        var input = new string('a', 1_000_000);
        Assert.False(pattern.Matches(input));
        Assert.True(pattern.Matches(input + "b"));
    }

    private static bool Reference(char[] pattern, HashSet<int> wildcards, string input)
    {
        // matches[i, j]: pattern[..i] matches input[..j]
        var matches = new bool[pattern.Length + 1, input.Length + 1];
        matches[0, 0] = true;
        for (var i = 1; i <= pattern.Length; i++)
        {
            for (var j = 0; j <= input.Length; j++)
            {
                matches[i, j] = wildcards.Contains(i - 1)
                    ? matches[i - 1, j] || (j > 0 && matches[i, j - 1])
                    : j > 0 && matches[i - 1, j - 1] && pattern[i - 1] == input[j - 1];
            }
        }

        return matches[pattern.Length, input.Length];
    }
}
