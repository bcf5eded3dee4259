using Mandate.Server.Tests.Infrastructure;
using static Mandate.Server.Tests.Decisions.AuthZenHttp;

namespace Mandate.Server.Tests.Decisions;

/// <summary>Bad input, batch semantics, diagnostics and policy errors on the AuthZEN endpoints (certification fixture).</summary>
public sealed class AuthZenEndpointTests : IAsyncLifetime
{
    private const string AliceReadsRecord1 = """{"subject":{"type":"user","id":"alice"},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}}""";
    private MandateTestServer server = null!;

    public async ValueTask InitializeAsync() => server = await MandateTestServer.StartAsync(
        o =>
        {
            o.Demo = false;
            o.DataDirectory = RepositoryPaths.Samples("authzen/certification");
        },
        b =>
        {
            b.Configuration["Mandate:Decisions:MaxRequestBodyBytes"] = "2048";
            b.Configuration["Mandate:Decisions:MaxBatchItems"] = "3";

            // These cases are about AuthZEN semantics as an anonymous loopback PEP sees them: admitted explicitly.
            b.Configuration["Mandate:Decisions:AllowAnonymousPeps"] = "Loopback";
        });

    public async ValueTask DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task Evaluation_ShouldAnswer400MalformedJson_WhenTheBodyIsTruncated()
    {
        var (status, body, _) = await PostAsync(server.Client, "/access/v1/evaluation", """{"subject": {"type": "user" """);
        Assert.Equal(400, status);
        Assert.Equal("malformed-json", Code(body));
    }

    [Theory]
    [InlineData("""{"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}}""", "subject is required")]
    [InlineData("""{"subject":{"type":"user","id":"alice"},"resource":{"type":"record","id":"record-1"}}""", "action is required")]
    [InlineData("""{"subject":{"type":"user","id":"alice"},"action":{"name":"read"}}""", "resource is required")]
    [InlineData("""{"subject":{"type":"user","id":"alice"},"action":{"name":"read"},"resource":{"type":"record"}}""", "resource.id is required")]
    [InlineData("""{"subject":{"type":"user","id":"alice","properties":[1]},"action":{"name":"read"},"resource":{"type":"record","id":"r"}}""", "subject.properties must be a JSON object")]
    public async Task Evaluation_ShouldAnswer400NamingTheMember_WhenAMemberIsMissingOrWrong(string json, string detail)
    {
        var (status, body, response) = await PostAsync(server.Client, "/access/v1/evaluation", json);
        Assert.Equal(400, status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("invalid-request", Code(body));
        Assert.Contains(detail, body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evaluation_ShouldAnswer400UnknownEntityType_WhenTheTypeIsNotACedarName()
    {
        var (status, body, _) = await PostAsync(server.Client, "/access/v1/evaluation", """{"subject":{"type":"no such type","id":"x"},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}}""");
        Assert.Equal(400, status);
        Assert.Equal("unknown-entity-type", Code(body));
    }

    [Fact]
    public async Task Evaluation_ShouldAnswer413_WhenTheBodyIsOverTheLimit()
    {
        var padding = new string('x', 4096);
        var (status, body, _) = await PostAsync(server.Client, "/access/v1/evaluation", AliceReadsRecord1.Replace("\"alice\"}", "\"alice\",\"properties\":{\"pad\":\"" + padding + "\"}}", StringComparison.Ordinal));
        Assert.Equal(413, status);
        Assert.Equal("payload-too-large", Code(body));
    }

    [Fact]
    public async Task Evaluation_ShouldAnswer413_WhenAChunkedBodyGrowsOverTheLimit()
    {
        var json = AliceReadsRecord1.Replace("\"alice\"}", "\"alice\",\"properties\":{\"pad\":\"" + new string('x', 4096) + "\"}}", StringComparison.Ordinal);
        using var content = new ChunkedJsonContent(json);
        var response = await server.Client.PostAsync(new Uri("/access/v1/evaluation", UriKind.Relative), content, TestContext.Current.CancellationToken);
        Assert.Equal(413, (int)response.StatusCode);
    }

    [Fact]
    public async Task Evaluations_ShouldAnswer400BatchTooLarge_WhenOverTheConfiguredMaximum()
    {
        var item = """{"resource":{"type":"record","id":"record-1"}}""";
        var json = """{"subject":{"type":"user","id":"alice"},"action":{"name":"read"},"evaluations":[""" + string.Join(',', Enumerable.Repeat(item, 4)) + "]}";
        var (status, body, _) = await PostAsync(server.Client, "/access/v1/evaluations", json);
        Assert.Equal(400, status);
        Assert.Equal("batch-too-large", Code(body));
    }

    [Fact]
    public async Task Evaluations_ShouldAnswer400_WhenTheSemanticIsUnknown()
    {
        var json = """{"subject":{"type":"user","id":"alice"},"action":{"name":"read"},"options":{"evaluations_semantic":"sometimes"},"evaluations":[{"resource":{"type":"record","id":"record-1"}}]}""";
        var (status, body, _) = await PostAsync(server.Client, "/access/v1/evaluations", json);
        Assert.Equal(400, status);
        Assert.Equal("unknown-evaluations-semantic", Code(body));
    }

    [Theory]
    [InlineData("deny_on_first_deny", new[] { true, false })]
    [InlineData("permit_on_first_permit", new[] { true })]
    [InlineData("execute_all", new[] { true, false, true })]
    public async Task Evaluations_ShouldShortCircuit_AsTheSemanticSays(string semantic, bool[] expected)
    {
        var json = """{"subject":{"type":"user","id":"alice"},"options":{"evaluations_semantic":"SEM"},"evaluations":[""" +
            """{"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}},""" +
            """{"action":{"name":"write"},"resource":{"type":"record","id":"record-2"}},""" +
            """{"action":{"name":"read"},"resource":{"type":"record","id":"record-2"}}]}""";
        var (status, body, _) = await PostAsync(server.Client, "/access/v1/evaluations", json.Replace("SEM", semantic, StringComparison.Ordinal));
        Assert.Equal(200, status);
        Assert.Equal(expected, body.GetProperty("evaluations").EnumerateArray().Select(e => e.GetProperty("decision").GetBoolean()).ToArray());
    }

    [Fact]
    public async Task Evaluations_ShouldAnswerAnInvalidItemInPlace_WithItsError()
    {
        var json = """{"subject":{"type":"user","id":"alice"},"action":{"name":"read"},"evaluations":[{"resource":{"type":"record","id":"record-1"}},{}]}""";
        var (status, body, _) = await PostAsync(server.Client, "/access/v1/evaluations", json);
        Assert.Equal(200, status);
        var items = body.GetProperty("evaluations");
        Assert.True(items[0].GetProperty("decision").GetBoolean());
        Assert.False(items[1].GetProperty("decision").GetBoolean());
        Assert.Equal(400, items[1].GetProperty("context").GetProperty("error").GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Evaluation_ShouldCarryADecisionId_ButNoReasons_ForAnonymousCallers()
    {
        var (_, body, _) = await PostAsync(server.Client, "/access/v1/evaluation", AliceReadsRecord1);
        var context = body.GetProperty("context");
        Assert.StartsWith("d_", context.GetProperty("decision_id").GetString(), StringComparison.Ordinal);
        Assert.False(context.TryGetProperty("reasons", out _));
    }

    [Fact]
    public async Task Evaluation_ShouldShowDeterminingPolicies_ToAnAdmin()
    {
        using var admin = server.CreateAdminClient();
        var (_, body, response) = await PostAsync(admin, "/access/v1/evaluation", AliceReadsRecord1);
        var context = body.GetProperty("context");
        Assert.Equal(new[] { "cert-read" }, context.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()!).ToArray());
        Assert.Equal(response.Headers.GetValues("X-Mandate-Policy-Version").Single(), context.GetProperty("policy_version").GetString());
    }

    [Fact]
    public async Task Search_ShouldPageWithTokens_AndRefuseATokenFromAnotherQuery()
    {
        var query = """{"subject":{"type":"user"},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"},"page":{"limit":1}}""";
        var (_, first, _) = await PostAsync(server.Client, "/access/v1/search/subject", query);
        Assert.Single(first.GetProperty("results").EnumerateArray());
        var token = first.GetProperty("page").GetProperty("next_token").GetString();
        Assert.False(string.IsNullOrEmpty(token));

        var (_, second, _) = await PostAsync(server.Client, "/access/v1/search/subject", query.Replace("\"limit\":1", $"\"limit\":1,\"token\":\"{token}\"", StringComparison.Ordinal));
        Assert.Equal("", second.GetProperty("page").GetProperty("next_token").GetString());
        var ids = first.GetProperty("results").EnumerateArray().Concat(second.GetProperty("results").EnumerateArray()).Select(r => r.GetProperty("id").GetString());
        Assert.Equal(new[] { "alice", "bob" }, ids.Order(StringComparer.Ordinal).ToArray());

        var (status, body, _) = await PostAsync(server.Client, "/access/v1/search/subject", query.Replace("record-1", "record-2", StringComparison.Ordinal).Replace("\"limit\":1", $"\"token\":\"{token}\"", StringComparison.Ordinal));
        Assert.Equal(400, status);
        Assert.Equal("invalid-page-token", Code(body));
    }
}
