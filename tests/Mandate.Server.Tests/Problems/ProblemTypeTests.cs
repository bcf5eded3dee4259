using System.Net;
using System.Reflection;
using System.Text.RegularExpressions;
using Mandate.Core.Decisions;
using Mandate.Core.Identity;
using Mandate.Core.Operators;
using Mandate.Core.Tasks;
using Mandate.Server.Audit;
using Mandate.Server.Decisions;
using Mandate.Server.Problems;
using Mandate.Server.Tasks;
using Mandate.Server.Tests.Infrastructure;

namespace Mandate.Server.Tests.Problems;

/// <summary>
/// One title per problem type: every type is a row of <see cref="ProblemTypes"/> (the only place a title is written,
/// since <see cref="Problem"/> takes a <see cref="ProblemType"/> and no title), every feature code has a row, nothing
/// in the server builds problem details another way, the framework's own problems take the table's title, and
/// docs/errors.md lists every type with the same title.
/// </summary>
public sealed partial class ProblemTypeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The classes whose string constants are problem codes.</summary>
    private static readonly Type[] CodeClasses =
    [
        typeof(IdentityErrorCodes), typeof(TaskErrorCodes), typeof(AuthZenErrorCodes),
        typeof(AuditProblemTypes), typeof(TaskProblemTypes), typeof(AuthZenProblemTypes), typeof(OperatorErrorCodes), typeof(PepCredentialErrorCodes),
        typeof(Mandate.Server.Detection.DetectionProblemTypes), typeof(Mandate.Core.Governance.Reviews.ReviewErrorCodes),
        typeof(Mandate.Core.DynamicCredentials.DynamicCredentialErrorCodes),
    ];

    [Fact]
    public void TheTable_ShouldHoldEveryProblemTypeOnce_EachWithOneTitle()
    {
        var declared = typeof(ProblemTypes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(ProblemType))
            .Select(f => (ProblemType)f.GetValue(null)!)
            .ToList();

        Assert.Equal(declared.Count, ProblemTypes.All.Count);
        Assert.All(declared, t => Assert.Contains(t, ProblemTypes.All));
        Assert.Equal(declared.Count, declared.Select(t => t.Code).Distinct(StringComparer.Ordinal).Count());
        Assert.All(declared, t =>
        {
            Assert.Matches("^[a-z][a-z0-9-]*$", t.Code);
            Assert.False(string.IsNullOrWhiteSpace(t.Title));
            Assert.EndsWith(".", t.Title, StringComparison.Ordinal);
            Assert.Same(t, ProblemTypes.Of(t.Code));
            Assert.Equal("https://mandate.dev/problems/" + t.Code, t.Uri);
        });
    }

    [Fact]
    public void EveryFeatureCode_ShouldBeAProblemTypeOfTheTable()
    {
        var codes = CodeClasses
            .SelectMany(c => c.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Where(f => f is { IsLiteral: true } && f.FieldType == typeof(string))
            .Select(f => (Name: f.DeclaringType!.Name + "." + f.Name, Code: (string)f.GetRawConstantValue()!))
            .ToList();

        Assert.True(codes.Count >= 40, $"only {codes.Count} feature codes found");
        Assert.All(codes, c => Assert.True(ProblemTypes.TryGet(c.Code, out _), $"{c.Name} = '{c.Code}' has no row in ProblemTypes"));
        Assert.Throws<InvalidOperationException>(() => ProblemTypes.Of("no-such-problem"));
    }

    [Fact]
    public void ErrorsDocument_ShouldListEveryProblemType_WithTheTablesTitle()
    {
        var documented = ProblemAssert.DocumentedTitles();

        Assert.All(ProblemTypes.All, t =>
        {
            Assert.True(documented.TryGetValue(t.Code, out var title), $"docs/errors.md has no row for '{t.Code}'");
            Assert.Equal(t.Title, title);
        });
        // The MCP gateway's own codes are its table's (checked by the gateway's tests), not the server's.
        var gatewayOnly = ProblemAssert.DocumentedGatewayTitles().Keys.Where(code => !ProblemTypes.TryGet(code, out _)).ToHashSet(StringComparer.Ordinal);
        Assert.All(documented.Keys.Where(code => !gatewayOnly.Contains(code)), code => Assert.True(ProblemTypes.TryGet(code, out _), $"docs/errors.md lists '{code}', which the server never answers"));
    }

    /// <summary>
    /// Every place in the server's sources that could produce a problem with its own title: a <see cref="ProblemType"/>
    /// made outside the table, problem details built or written by hand, or a title set on them. Only the table and
    /// <see cref="Problem"/> may.
    /// </summary>
    [Fact]
    public void ServerSources_ShouldProduceProblemsOnlyFromTheTable()
    {
        var sources = Directory.EnumerateFiles(RepositoryRoot.Combine("src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))

            // The MCP gateway is a separate process with its own small table (GatewayProblem), held to the docs by its tests.
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}Mandate.Gateway.Mcp{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(sources);
        var offences = new List<string>();
        var producers = 0;
        foreach (var file in sources)
        {
            var relative = Path.GetRelativePath(RepositoryRoot.Path, file).Replace('\\', '/');
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                var line = lines[i];
                if (NewProblemType().IsMatch(line) && relative != "src/Mandate.Server/Problems/ProblemTypes.cs")
                {
                    offences.Add($"{relative}:{i + 1}: a ProblemType outside the table");
                }

                if (HandMadeProblem().IsMatch(line) && relative is not ("src/Mandate.Server/Problems/Problem.cs" or "src/Mandate.Server/Problems/ProblemType.cs"))
                {
                    offences.Add($"{relative}:{i + 1}: problem details built or titled outside Problem");
                }

                producers += ProblemCall().Matches(line).Count;
            }
        }

        Assert.Empty(offences);

        // The call sites are many (every endpoint family); each passes a ProblemType, which only the table holds.
        Assert.True(producers >= 40, $"only {producers} Problem.* call sites found: is the scan still looking at the server?");
    }

    [Fact]
    public async Task FrameworkAndHandlerProblems_ShouldCarryTheTablesTitle_OverHttp()
    {
        await using var server = await MandateTestServer.StartAsync();

        using (var unknownRoute = await server.Client.GetAsync(new Uri("/v1/no-such-route", UriKind.Relative), Ct))
        {
            await ProblemAssert.ProblemAsync(unknownRoute, HttpStatusCode.NotFound, ProblemTypes.NotFound.Code);
        }

        using (var wrongMethod = await server.Client.DeleteAsync(new Uri("/v1/tasks", UriKind.Relative), Ct))
        {
            await ProblemAssert.ProblemAsync(wrongMethod, HttpStatusCode.MethodNotAllowed, ProblemTypes.MethodNotAllowed.Code);
        }

        using (var noToken = await server.Client.GetAsync(new Uri("/v1/identities", UriKind.Relative), Ct))
        {
            await ProblemAssert.ProblemAsync(noToken, HttpStatusCode.Unauthorized, ProblemTypes.Unauthenticated.Code);
        }

        using var garbage = new HttpRequestMessage(HttpMethod.Get, new Uri("/v1/tasks", UriKind.Relative));
        garbage.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "a.b.c");
        using var malformed = await server.Client.SendAsync(garbage, Ct);
        var problem = await ProblemAssert.ProblemAsync(malformed, HttpStatusCode.Unauthorized, ProblemTypes.TokenMalformed.Code);
        Assert.Equal(ProblemTypes.TokenMalformed.Title, problem.GetProperty("title").GetString());
    }

    [GeneratedRegex(@"new\s+ProblemType\s*\(|ProblemType\s+\w+\s*=\s*new\s*\(")]
    private static partial Regex NewProblemType();

    [GeneratedRegex(@"new\s+(Microsoft\.AspNetCore\.Mvc\.)?ProblemDetails\b|(Typed)?Results\.(Validation)?Problem\s*\(|\bTitle\s*=|problem\+json")]
    private static partial Regex HandMadeProblem();

    [GeneratedRegex(@"\bProblem\.(Result|WriteAsync|BadRequest|NotFound|Conflict|Create)\s*\(")]
    private static partial Regex ProblemCall();
}
