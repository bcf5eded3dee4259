using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mandate.Core.Audit;
using Mandate.Core.Storage;
using Mandate.Server.Tests.Infrastructure;
using Mandate.Server.Tests.Tasks;
using Mandate.Tests.Shared;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Security;

/// <summary>
/// H3 and L3: an anonymous caller must not be able to fill the ledger and the database through the decision point, nor
/// learn a credential's status from deny reasons. PEPs authenticate (JWT-SVID, operator-issued PEP credential, admin
/// token); anonymous calls are an explicit setting; every audited member is bounded; per-client rate limits; identical
/// denies are folded into one counted record per window.
/// </summary>
public sealed class DecisionPointFloodTests : IAsyncDisposable
{
    private const string PepToken = "pep_2f1a1d0f6c2b4b9e8e3c7a5d9b1c4e7f0a2b3c4d";
    private const string Agent = "spiffe://demo.mandate.local/agent/support-assistant";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly List<MandateTestServer> servers = [];

    public async ValueTask DisposeAsync()
    {
        foreach (var server in servers)
        {
            await server.DisposeAsync();
        }
    }

    private async Task<MandateTestServer> StartAsync(Dictionary<string, string?>? settings = null, bool demo = true)
    {
        var server = await MandateTestServer.StartAsync(
            o => o.Demo = demo,
            b => b.Configuration.AddInMemoryCollection(settings ?? []));
        servers.Add(server);
        return server;
    }

    private static Dictionary<string, string?> Settings(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => (string?)p.Value);

    private static string Evaluation(string subjectId = Agent, string resourceId = "kb-articles", string action = "read", string context = "{}") =>
        JsonSerializer.Serialize(new
        {
            subject = new { type = "Workload", id = subjectId },
            action = new { name = action },
            resource = new { type = "Dataset", id = resourceId },
            context = JsonDocument.Parse(context).RootElement,
        });

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path, string json, string? requestId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (requestId is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Request-ID", requestId);
        }

        return await client.SendAsync(request, Ct);
    }

    private static HttpClient Bearer(MandateTestServer server, string token)
    {
        var client = new HttpClient { BaseAddress = server.Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task<List<JsonElement>> LedgerAsync(MandateTestServer server, Func<JsonElement, bool>? where = null)
    {
        await server.Services.GetRequiredService<Mandate.Core.Decisions.DecisionAuditQueue>().FlushAsync(Ct);
        var store = server.Services.GetRequiredService<IMandateStore>();
        var found = new List<JsonElement>();
        await using var session = await store.BeginAsync(StoreIntent.Read, Ct);
        await foreach (var record in session.Get<IAuditRepository>().ReadAsync(1, Ct))
        {
            var body = JsonDocument.Parse(record.CanonicalJson).RootElement.Clone();
            if (where is null || where(body))
            {
                found.Add(body);
            }
        }

        return found;
    }

    private static string Type(JsonElement e) => e.GetProperty("type").GetString()!;

    [Fact]
    public async Task AnonymousEvaluation_ShouldBeRefused_WhenTheServerIsNotADemo()
    {
        var server = await StartAsync(demo: false);
        using var response = await PostAsync(server.Client, "/access/v1/evaluation", Evaluation());
        await ProblemAssert.ProblemAsync(response, HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task AnonymousBatch_ShouldBeRefused_WhenAnonymousPepsAreTurnedOff_AndWriteNoDecisions()
    {
        var server = await StartAsync(Settings(("Mandate:Decisions:AllowAnonymousPeps", "None")));
        var batch = "{\"subject\":{\"type\":\"Workload\",\"id\":\"" + Agent + "\"},\"action\":{\"name\":\"read\"},\"resource\":{\"type\":\"Dataset\",\"id\":\"x\"},\"evaluations\":["
            + string.Join(',', Enumerable.Repeat("{}", 50)) + "]}";
        using var response = await PostAsync(server.Client, "/access/v1/evaluations", batch);
        await ProblemAssert.ProblemAsync(response, HttpStatusCode.Unauthorized, "unauthenticated");
        var decisions = await LedgerAsync(server, e => Type(e) is "decision" or "decision.repeated");
        Assert.Empty(decisions);
    }

    [Fact]
    public async Task ForgedBearer_ShouldBeRefused_EvenWhereAnonymousLoopbackPepsAreAllowed()
    {
        var server = await StartAsync();
        using var forged = Bearer(server, "mdt_not-the-admin-token-at-all-0000000000000");
        using var response = await PostAsync(forged, "/access/v1/evaluation", Evaluation());
        await ProblemAssert.ProblemAsync(response, HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task Pep_ShouldBeAnswered_WhenItPresentsAnOperatorIssuedPepCredential_OrItsJwtSvid()
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(PepToken)));
        await using var estate = await TaskEstate.StartAsync(
            o => o.Demo = true,
            b => b.Configuration.AddInMemoryCollection(Settings(
                ("Mandate:Decisions:AllowAnonymousPeps", "None"),
                ("Mandate:Decisions:PepCredentials:0:Name", "gateway"),
                ("Mandate:Decisions:PepCredentials:0:TokenSha256", hash))));
        using var pep = Bearer(estate.Server, PepToken);
        using var byPep = await PostAsync(pep, "/access/v1/evaluation", Evaluation(resourceId: "payment-cards"));
        Assert.Equal(HttpStatusCode.OK, byPep.StatusCode);

        using var workload = estate.As(TaskEstate.Helper);
        using var bySvid = await PostAsync(workload, "/access/v1/evaluation", Evaluation(resourceId: "payment-cards"));
        Assert.Equal(HttpStatusCode.OK, bySvid.StatusCode);

        using var anonymous = await PostAsync(estate.Server.Client, "/access/v1/evaluation", Evaluation());
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        var decisions = await estate.AuditAsync("decision");
        Assert.Contains(decisions, e => e.TryGetProperty("actor", out var a) && a.GetString() == "pep:gateway");
        Assert.Contains(decisions, e => e.TryGetProperty("actor", out var a) && a.GetString() == TaskEstate.Helper);
    }

    [Fact]
    public async Task HugeIds_ShouldBeRefused_AndNeverReachTheLedger()
    {
        var server = await StartAsync();
        var huge = new string('x', 100_000);
        using var single = await PostAsync(server.Client, "/access/v1/evaluation", Evaluation(resourceId: huge));
        await ProblemAssert.ProblemAsync(single, HttpStatusCode.BadRequest, "input-too-large");

        var batch = "{\"subject\":{\"type\":\"Workload\",\"id\":\"" + Agent + "\"},\"action\":{\"name\":\"read\"},\"evaluations\":["
            + string.Join(',', Enumerable.Range(0, 2).Select(_ => "{\"resource\":{\"type\":\"Dataset\",\"id\":\"" + new string('y', 50_000) + "\"}}")) + "]}";
        using var batched = await PostAsync(server.Client, "/access/v1/evaluations", batch);
        Assert.Equal(HttpStatusCode.OK, batched.StatusCode);
        var items = JsonDocument.Parse(await batched.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("evaluations");
        Assert.All(items.EnumerateArray(), i => Assert.Equal("input-too-large", i.GetProperty("context").GetProperty("error").GetProperty("code").GetString()));

        using var properties = await PostAsync(
            server.Client,
            "/access/v1/evaluation",
            "{\"subject\":{\"type\":\"Workload\",\"id\":\"" + Agent + "\",\"properties\":{\"blob\":\"" + new string('z', 20_000) + "\"}},\"action\":{\"name\":\"read\"},\"resource\":{\"type\":\"Dataset\",\"id\":\"x\"}}");
        await ProblemAssert.ProblemAsync(properties, HttpStatusCode.BadRequest, "input-too-large");

        var ledger = await LedgerAsync(server);
        Assert.DoesNotContain(ledger, e => e.GetRawText().Length > 8_000);
    }

    [Fact]
    public async Task OversizedBatch_ShouldBeRefused_BeforeAnyItemIsAudited()
    {
        var server = await StartAsync();
        var batch = "{\"subject\":{\"type\":\"Workload\",\"id\":\"" + Agent + "\"},\"action\":{\"name\":\"read\"},\"resource\":{\"type\":\"Dataset\",\"id\":\"x\"},\"evaluations\":["
            + string.Join(',', Enumerable.Repeat("{}", 101)) + "]}";
        using var response = await PostAsync(server.Client, "/access/v1/evaluations", batch);
        await ProblemAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "batch-too-large");
    }

    [Fact]
    public async Task HugeRequestId_ShouldNotBeEchoedOrAudited_TheServersOwnIdStandsIn()
    {
        var server = await StartAsync();
        var huge = new string('r', 30_000);
        using var response = await PostAsync(server.Client, "/access/v1/evaluation", Evaluation(resourceId: "payment-cards"), huge);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echoed = response.Headers.TryGetValues("X-Request-ID", out var values) ? values.Single() : string.Empty;
        Assert.True(echoed.Length <= 128, "the oversized request id was echoed");

        var ledger = await LedgerAsync(server, e => Type(e) == "decision");
        Assert.NotEmpty(ledger);
        Assert.All(ledger, e => Assert.True(!e.TryGetProperty("request_id", out var id) || id.GetString()!.Length <= 128));

        using var fine = await PostAsync(server.Client, "/access/v1/evaluation", Evaluation(), "req-42");
        Assert.Equal("req-42", fine.Headers.GetValues("X-Request-ID").Single());
    }

    [Fact]
    public async Task IdenticalAnonymousDenies_ShouldBeOneCountedLedgerRecordPerWindow_NotOneEach()
    {
        var server = await StartAsync(Settings(("Mandate:Decisions:AuditRepeatWindow", "00:00:01")));
        var batch = "{\"subject\":{\"type\":\"Workload\",\"id\":\"" + Agent + "\"},\"action\":{\"name\":\"read\"},\"resource\":{\"type\":\"Dataset\",\"id\":\"payment-cards\"},\"evaluations\":["
            + string.Join(',', Enumerable.Repeat("{}", 100)) + "]}";
        using (var response = await PostAsync(server.Client, "/access/v1/evaluations", batch))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var singles = await LedgerAsync(server, e => Type(e) == "decision" && e.GetProperty("resource").GetString()!.Contains("payment-cards", StringComparison.Ordinal));
        Assert.Single(singles);

        // When the window closes, one record counts the 99 repeats.
        List<JsonElement> repeated = [];
        for (var attempt = 0; attempt < 50 && repeated.Count == 0; attempt++)
        {
            await Task.Delay(200, Ct);
            repeated = await LedgerAsync(server, e => Type(e) == "decision.repeated");
        }

        var summary = Assert.Single(repeated);
        Assert.Equal("99", summary.GetProperty("details").GetProperty("repeats").GetString());
    }

    [Fact]
    public async Task AnonymousDeny_ShouldNotRevealWhyACredentialFailed_ButAnAuthenticatedPepSeesIt()
    {
        await using var estate = await TaskEstate.StartAsync(o => { o.DataDirectory = null; o.Demo = true; });
        var (taskId, token, _) = await estate.OpenAsync(TaskEstate.Agent);
        using (var revoke = await estate.Admin.PostAsync("/v1/revocations", new StringContent("{\"target_kind\":\"task\",\"target\":\"" + taskId + "\",\"reason\":\"test\"}", Encoding.UTF8, "application/json"), Ct))
        {
            Assert.True(revoke.IsSuccessStatusCode);
        }

        var json = Evaluation(subjectId: TaskEstate.Agent, context: "{\"credential\":\"" + token + "\"}");
        using var anonymous = await PostAsync(estate.Server.Client, "/access/v1/evaluation", json);
        var anonymousBody = await anonymous.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        var context = JsonDocument.Parse(anonymousBody).RootElement.GetProperty("context");
        Assert.False(context.TryGetProperty("reason_user", out _), anonymousBody);
        Assert.False(context.TryGetProperty("reason", out _), anonymousBody);

        using var pep = estate.As(TaskEstate.Helper);
        using var authenticated = await PostAsync(pep, "/access/v1/evaluation", json);
        var authenticatedContext = JsonDocument.Parse(await authenticated.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("context");
        Assert.True(authenticatedContext.TryGetProperty("reason", out _));
    }

    [Fact]
    public async Task DecisionFlood_ShouldBeRateLimitedPerClient_WithoutStarvingOtherClients()
    {
        var server = await StartAsync(Settings(("Mandate:RateLimits:Decisions:PermitLimit", "5"), ("Mandate:RateLimits:Decisions:Window", "00:10:00")));
        for (var i = 0; i < 5; i++)
        {
            using var ok = await PostAsync(server.Client, "/access/v1/evaluation", Evaluation());
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var refused = await PostAsync(server.Client, "/access/v1/evaluation", Evaluation());
        await ProblemAssert.ProblemAsync(refused, HttpStatusCode.TooManyRequests, "rate-limited");
        Assert.NotNull(refused.Headers.RetryAfter);

        using var other = server.CreateClientFrom(IPAddress.Parse("127.0.0.2"));
        using var answered = await PostAsync(other, "/access/v1/evaluation", Evaluation());
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
    }

    [Fact]
    public async Task TokenEndpointFlood_ShouldBeRateLimitedPerClient()
    {
        var server = await StartAsync(Settings(("Mandate:RateLimits:Credentials:PermitLimit", "3"), ("Mandate:RateLimits:Credentials:Window", "00:10:00")));
        HttpStatusCode last = default;
        for (var i = 0; i < 4; i++)
        {
            using var response = await server.Client.PostAsync("/oauth2/token", new FormUrlEncodedContent([new("grant_type", "client_credentials")]), Ct);
            last = response.StatusCode;
            if (i < 3)
            {
                Assert.NotEqual(HttpStatusCode.TooManyRequests, response.StatusCode);
            }
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, last);
    }

    [Fact]
    public async Task FailedAuthenticationFlood_ShouldBeFoldedIntoCountedRecords_NotOneLedgerWriteEach()
    {
        var server = await StartAsync(Settings(("Mandate:Decisions:AuditRepeatWindow", "00:10:00")));
        using var forged = Bearer(server, "mdt_forged-forged-forged-forged-forged-forged");
        for (var i = 0; i < 40; i++)
        {
            using var response = await forged.GetAsync("/v1/audit/events", Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        // One record for the first; the 39 repeats in counted records, at most one per flush interval (one second).
        var started = DateTime.UtcNow;
        List<JsonElement> failures = [];
        for (var attempt = 0; attempt < 50; attempt++)
        {
            failures = await LedgerAsync(server, e => Type(e).StartsWith("admin.authentication_failed", StringComparison.Ordinal));
            if (failures.Sum(Represented) == 40)
            {
                break;
            }

            await Task.Delay(200, Ct);
        }

        Assert.Equal(40, failures.Sum(Represented));
        Assert.Single(failures, e => Type(e) == "admin.authentication_failed");
        Assert.True(failures.Count <= 3 + (int)(DateTime.UtcNow - started).TotalSeconds, $"{failures.Count} records for 40 failures");

        static long Represented(JsonElement e) =>
            Type(e).EndsWith(".repeated", StringComparison.Ordinal) ? long.Parse(e.GetProperty("details").GetProperty("repeats").GetString()!, System.Globalization.CultureInfo.InvariantCulture) : 1;
    }
}
