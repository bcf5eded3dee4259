using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mandate.Server.Tests.Infrastructure;
using Mandate.Server.Tests.Tasks;

namespace Mandate.Server.Tests.Decisions;

/// <summary>
/// <c>POST /v1/decisions/permitted</c> over real HTTP: only authenticated enforcement points may ask; a live task
/// credential gets one answer per item (task scope and policies, unaudited); a dead or forged one gets its verdict and
/// no items; and a DPoP proof forwarded for one request is checked once for all its questions, there and in an AuthZEN batch.
/// </summary>
public sealed class PermittedEndpointTests : IAsyncLifetime
{
    private TaskEstate estate = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => estate = await TaskEstate.StartAsync(configureBuilder: TestPep.Configure);

    public async ValueTask DisposeAsync() => await estate.DisposeAsync();

    [Fact]
    public async Task AnonymousCaller_Is401()
    {
        using var anonymous = new HttpClient { BaseAddress = estate.Server.Address };
        using var response = await anonymous.PostAsJsonAsync("/v1/decisions/permitted", new { subject = new { type = "Workload", id = TaskEstate.Agent }, context = new { credential = "x" } }, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task LiveTaskCredential_GetsOneAnswerPerItem_WithoutLedgerEntries()
    {
        var (taskId, token, _) = await estate.OpenAsync();
        var before = (await estate.AuditAsync("decision")).Count;
        using var pep = TestPep.CreateClient(estate.Server);

        var answer = await PostAsync(pep, Request(token, null, ("read", "Ticket", "T-1"), ("write", "Ticket", "T-1"), ("read", "Invoice", "I-1")));

        Assert.True(answer.GetProperty("credential").GetProperty("valid").GetBoolean());
        Assert.Equal(taskId, answer.GetProperty("credential").GetProperty("task_id").GetString());
        Assert.Equal([true, false, false], answer.GetProperty("permitted").EnumerateArray().Select(p => p.GetBoolean()));
        Assert.Equal(before, (await estate.AuditAsync("decision")).Count);
    }

    [Fact]
    public async Task DeadOrForgedCredential_GetsItsVerdict_AndNoItems()
    {
        var (taskId, token, _) = await estate.OpenAsync();
        using var agent = estate.As(TaskEstate.Agent);
        (await agent.PostAsync($"/v1/tasks/{taskId}/complete", null, Ct)).EnsureSuccessStatusCode();
        using var pep = TestPep.CreateClient(estate.Server);

        var dead = await PostAsync(pep, Request(token, null, ("read", "Ticket", "T-1")));
        var forged = await PostAsync(pep, Request(token[..^4] + "AAAA", null));

        Assert.False(dead.GetProperty("credential").GetProperty("valid").GetBoolean());
        Assert.Equal("invalid_token", dead.GetProperty("credential").GetProperty("reason").GetString());
        Assert.Empty(dead.GetProperty("permitted").EnumerateArray());
        Assert.False(forged.GetProperty("credential").GetProperty("valid").GetBoolean());
    }

    [Fact]
    public async Task Request_WithoutCredential_Is400()
    {
        using var pep = TestPep.CreateClient(estate.Server);
        using var response = await pep.PostAsJsonAsync("/v1/decisions/permitted", new { subject = new { type = "Workload", id = TaskEstate.Agent } }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("context.credential is required", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DpopProof_ForOneRequest_IsCheckedOnceForAllItsQuestions_HereAndInAnAuthZenBatch()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var token = await OpenBoundTaskAsync(key);
        const string Protected = "https://gateway.example/mcp";
        using var pep = TestPep.CreateClient(estate.Server);

        var proof = DpopProofs.Create(key, "POST", Protected, token, estate.Clock.GetUtcNow());
        var permitted = await PostAsync(pep, Request(token, new JsonObject { ["dpop"] = proof, ["htm"] = "POST", ["htu"] = Protected }, ("read", "Ticket", "T-1"), ("read", "Ticket", "T-2")));
        Assert.Equal([true, true], permitted.GetProperty("permitted").EnumerateArray().Select(p => p.GetBoolean()));

        var batchProof = DpopProofs.Create(key, "POST", Protected, token, estate.Clock.GetUtcNow());
        var batch = Request(token, new JsonObject { ["dpop"] = batchProof, ["htm"] = "POST", ["htu"] = Protected }, ("read", "Ticket", "T-1"), ("read", "Ticket", "T-2"));
        using var response = await pep.PostAsync("/access/v1/evaluations", new StringContent(batch.ToJsonString(), System.Text.Encoding.UTF8, "application/json"), Ct);
        var decisions = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("evaluations");
        Assert.All(decisions.EnumerateArray(), d => Assert.True(d.GetProperty("decision").GetBoolean(), d.ToString()));

        // The same proof in a new request is a replay, refused as before.
        var replayed = await PostAsync(pep, Request(token, new JsonObject { ["dpop"] = proof, ["htm"] = "POST", ["htu"] = Protected }, ("read", "Ticket", "T-1")));
        Assert.False(replayed.GetProperty("credential").GetProperty("valid").GetBoolean());
        Assert.Contains("replayed", replayed.GetProperty("credential").GetProperty("reason_user").GetString(), StringComparison.Ordinal);
    }

    private async Task<string> OpenBoundTaskAsync(ECDsa key)
    {
        using var agent = estate.As(TaskEstate.Agent);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/tasks") { Content = JsonContent.Create(new { intent = TaskEstate.Intent(actions: ["read"]), ttl_seconds = 600 }) };
        request.Headers.Add("DPoP", DpopProofs.Create(key, "POST", new Uri(estate.Server.Address, "/v1/tasks").ToString(), null, estate.Clock.GetUtcNow()));
        using var response = await agent.SendAsync(request, Ct);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        return body.GetProperty("credential").GetProperty("access_token").GetString()!;
    }

    private static JsonObject Request(string token, JsonObject? proof, params (string Action, string Type, string Id)[] items)
    {
        var context = new JsonObject { ["credential"] = token };
        if (proof is not null)
        {
            context["credential_proof"] = proof;
        }

        var evaluations = new JsonArray();
        foreach (var (action, type, id) in items)
        {
            evaluations.Add(new JsonObject { ["action"] = new JsonObject { ["name"] = action }, ["resource"] = new JsonObject { ["type"] = type, ["id"] = id } });
        }

        return new JsonObject
        {
            ["subject"] = new JsonObject { ["type"] = "Workload", ["id"] = TaskEstate.Agent },
            ["context"] = context,
            ["evaluations"] = evaluations,
        };
    }

    private static async Task<JsonElement> PostAsync(HttpClient pep, JsonObject body)
    {
        using var response = await pep.PostAsync("/v1/decisions/permitted", new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
