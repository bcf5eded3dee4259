using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Mandate.Tests.Shared;

/// <summary>
/// Checks an RFC 9457 answer of the server: status, media type, the stable <c>type</c> and <c>code</c>, and the code's
/// one title as docs/errors.md lists it.
/// </summary>
public static partial class ProblemAssert
{
    private static readonly Lazy<IReadOnlyDictionary<string, string>> Titles = new(() => DocumentedTitles(File.ReadAllLines(RepositoryRoot.Combine("docs", "errors.md"))));

    /// <summary>The title of every problem code in docs/errors.md (rows of its <c>| code | title | status | meaning |</c> tables).</summary>
    public static IReadOnlyDictionary<string, string> DocumentedTitles() => Titles.Value;

    /// <summary>
    /// The codes of the MCP gateway's own table in docs/errors.md (its section "MCP gateway"): a separate process that
    /// shares the server's codes and titles where they mean the same, and adds its own.
    /// </summary>
    public static IReadOnlyDictionary<string, string> DocumentedGatewayTitles()
    {
        var lines = File.ReadAllLines(RepositoryRoot.Combine("docs", "errors.md"));
        var start = Array.FindIndex(lines, l => l.StartsWith("## MCP gateway", StringComparison.Ordinal));
        Assert.True(start >= 0, "docs/errors.md has no section '## MCP gateway'");
        var end = Array.FindIndex(lines, start + 1, l => l.StartsWith("## ", StringComparison.Ordinal));
        return DocumentedTitles(lines[start..(end < 0 ? lines.Length : end)]);
    }

    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        ArgumentNullException.ThrowIfNull(response);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("https://mandate.dev/problems/" + code, problem.GetProperty("type").GetString());
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.True(Titles.Value.TryGetValue(code, out var title), $"docs/errors.md lists no problem code '{code}'");
        Assert.Equal(title, problem.GetProperty("title").GetString());
        return problem;
    }

    private static Dictionary<string, string> DocumentedTitles(string[] lines)
    {
        var titles = new Dictionary<string, string>(StringComparer.Ordinal);
        var inTable = false;
        foreach (var line in lines)
        {
            if (line.StartsWith("| code | title | status |", StringComparison.Ordinal))
            {
                inTable = true;
            }
            else if (inTable && Row().Match(line) is { Success: true } row)
            {
                var (code, title) = (row.Groups["code"].Value, row.Groups["title"].Value.Trim());
                Assert.False(titles.TryGetValue(code, out var other) && other != title, $"docs/errors.md gives '{code}' two titles: '{other}' and '{title}'");
                titles[code] = title;
            }
            else if (line.Length == 0)
            {
                inTable = false;
            }
        }

        return titles;
    }

    [GeneratedRegex(@"^\| `(?<code>[a-z0-9-]+)` \| (?<title>[^|`]+) \|")]
    private static partial Regex Row();
}
