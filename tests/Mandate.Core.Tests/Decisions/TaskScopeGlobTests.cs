using System.Text.RegularExpressions;
using Mandate.Cedar;
using Mandate.Core.Decisions;

namespace Mandate.Core.Tests.Decisions;

/// <summary>The task resource glob (literal runs between stars, no backtracking) agrees with a regular expression.</summary>
public sealed class TaskScopeGlobTests
{
    [Theory]
    [InlineData("T-*", "T-1001", true)]
    [InlineData("T-*", "X-1001", false)]
    [InlineData("*", "", true)]
    [InlineData("a*a", "a", false)]
    [InlineData("a*a", "aa", true)]
    [InlineData("*ab*ab*", "abab", true)]
    [InlineData("*ab*ab*", "aab", false)]
    [InlineData("exact", "exact", true)]
    [InlineData("exact", "exactly", false)]
    public void Glob_ShouldMatchLikeAShellGlob(string pattern, string id, bool expected) =>
        Assert.Equal(expected, TaskScope.Covers($"Ticket::\"{pattern}\"", new EntityUid("Ticket", id)));

    [Fact]
    public void Glob_ShouldAgreeWithARegex_OnRandomPatterns()
    {
        var random = new Random(99);
        for (var round = 0; round < 20_000; round++)
        {
            var pattern = new string(Enumerable.Range(0, random.Next(0, 8)).Select(_ => "ab*"[random.Next(3)]).ToArray());
            var id = new string(Enumerable.Range(0, random.Next(0, 9)).Select(_ => "ab"[random.Next(2)]).ToArray());
            var expected = Regex.IsMatch(id, "^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal) + "$", RegexOptions.Singleline);
            Assert.True(expected == TaskScope.Glob(pattern, id), $"pattern \"{pattern}\" id \"{id}\"");
        }
    }
}
