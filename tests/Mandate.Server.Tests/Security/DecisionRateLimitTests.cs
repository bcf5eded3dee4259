using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mandate.Core.Audit;
using Mandate.Core.Decisions;
using Mandate.Core.Storage;
using Mandate.Server.Tests.Infrastructure;
using Mandate.Tests.Shared;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Security;

/// <summary>
/// The decision point's rate limits over real HTTP: each authenticated enforcement point has a budget of its own
/// (<c>Mandate:RateLimits:AuthenticatedDecisions</c>), so PEPs behind one address do not share one; callers without a
/// credential or with a refused one share their network's (<c>Mandate:RateLimits:Decisions</c>). The windows are ten
/// minutes long, so no test depends on timing.
/// </summary>
public sealed class DecisionRateLimitTests : IAsyncDisposable
{
    private const string FirstPep = "pep_first-0f6c2b4b9e8e3c7a5d9b1c4e7f0a2b3c4d5e";
    private const string SecondPep = "pep_second-6c2b4b9e8e3c7a5d9b1c4e7f0a2b3c4d5e6";
    private const string Body = "{\"subject\":{\"type\":\"Workload\",\"id\":\"spiffe://demo.mandate.local/agent/support-assistant\"},\"action\":{\"name\":\"read\"},\"resource\":{\"type\":\"Dataset\",\"id\":\"kb-articles\"}}";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private MandateTestServer? server;

    public async ValueTask DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }

    private async Task<MandateTestServer> StartAsync(int perCaller, int perNetwork)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Mandate:RateLimits:AuthenticatedDecisions:PermitLimit"] = perCaller.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Mandate:RateLimits:AuthenticatedDecisions:Window"] = "00:10:00",
            ["Mandate:RateLimits:Decisions:PermitLimit"] = perNetwork.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Mandate:RateLimits:Decisions:Window"] = "00:10:00",
            ["Mandate:Decisions:PepCredentials:0:Name"] = "first",
            ["Mandate:Decisions:PepCredentials:0:TokenSha256"] = Hash(FirstPep),
            ["Mandate:Decisions:PepCredentials:1:Name"] = "second",
            ["Mandate:Decisions:PepCredentials:1:TokenSha256"] = Hash(SecondPep),
        };
        server = await MandateTestServer.StartAsync(o => o.Demo = true, b => b.Configuration.AddInMemoryCollection(settings));
        return server;
    }

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static HttpClient Bearer(MandateTestServer server, string token)
    {
        var client = new HttpClient { BaseAddress = server.Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static Task<HttpResponseMessage> EvaluateAsync(HttpClient client, string path = "/access/v1/evaluation") =>
        client.PostAsync(path, new StringContent(Body, Encoding.UTF8, "application/json"), Ct);

    private static async Task<List<JsonElement>> RateLimitedRecordsAsync(MandateTestServer server)
    {
        await server.Services.GetRequiredService<DecisionAuditQueue>().FlushAsync(Ct);
        var found = new List<JsonElement>();
        await using var session = await server.Services.GetRequiredService<IMandateStore>().BeginAsync(StoreIntent.Read, Ct);
        await foreach (var record in session.Get<IAuditRepository>().ReadAsync(1, Ct))
        {
            var body = JsonDocument.Parse(record.CanonicalJson).RootElement.Clone();
            if (body.GetProperty("type").GetString() == "request.rate_limited")
            {
                found.Add(body);
            }
        }

        return found;
    }

    [Fact]
    public async Task TwoPepsFromOneAddress_ShouldEachHaveTheirOwnBudget_NotTheNetworks()
    {
        var server = await StartAsync(perCaller: 3, perNetwork: 1);
        using var first = Bearer(server, FirstPep);
        using var second = Bearer(server, SecondPep);

        // Both come from 127.0.0.1, whose unauthenticated budget (1) they would have used up long ago.
        for (var i = 0; i < 3; i++)
        {
            using var ok = await EvaluateAsync(first);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using (var refused = await EvaluateAsync(first))
        {
            var problem = await ProblemAssert.ProblemAsync(refused, HttpStatusCode.TooManyRequests, "rate-limited");
            Assert.Contains("enforcement point credential", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            var retryAfter = refused.Headers.RetryAfter?.Delta;
            Assert.NotNull(retryAfter);
            Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        }

        // The batch endpoint draws on the same budget.
        using (var batch = await EvaluateAsync(first, "/access/v1/evaluations"))
        {
            await ProblemAssert.ProblemAsync(batch, HttpStatusCode.TooManyRequests, "rate-limited");
        }

        for (var i = 0; i < 3; i++)
        {
            using var ok = await EvaluateAsync(second);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using (var secondRefused = await EvaluateAsync(second))
        {
            await ProblemAssert.ProblemAsync(secondRefused, HttpStatusCode.TooManyRequests, "rate-limited");
        }

        var records = await RateLimitedRecordsAsync(server);
        Assert.Contains(records, r => r.GetProperty("actor").GetString() == "pep:first" && r.GetProperty("resource").GetString() == "authenticated-decisions");
        Assert.Contains(records, r => r.GetProperty("actor").GetString() == "pep:second");
    }

    [Fact]
    public async Task UnauthenticatedFlood_ShouldStayLimitedPerNetwork_WithoutTouchingAPepOnTheSameNetwork()
    {
        var server = await StartAsync(perCaller: 100, perNetwork: 2);

        // The demo admits anonymous enforcement points on loopback: they share 127.0.0.1's budget.
        for (var i = 0; i < 2; i++)
        {
            using var ok = await EvaluateAsync(server.Client);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using (var refused = await EvaluateAsync(server.Client))
        {
            await ProblemAssert.ProblemAsync(refused, HttpStatusCode.TooManyRequests, "rate-limited");
            Assert.NotNull(refused.Headers.RetryAfter);
        }

        using (var metadata = await server.Client.GetAsync("/.well-known/authzen-configuration", Ct))
        {
            await ProblemAssert.ProblemAsync(metadata, HttpStatusCode.TooManyRequests, "rate-limited");
        }

        using (var pep = Bearer(server, FirstPep))
        using (var answered = await EvaluateAsync(pep))
        {
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        }

        var records = await RateLimitedRecordsAsync(server);
        Assert.Contains(records, r => r.GetProperty("actor").GetString() == "127.0.0.1" && r.GetProperty("resource").GetString() == "decisions");
    }

    [Fact]
    public async Task RefusedCredentials_ShouldTakeFromTheirNetworksBudget_NotGetOneEach()
    {
        var server = await StartAsync(perCaller: 100, perNetwork: 2);
        using var forger = server.CreateClientFrom(IPAddress.Parse("127.0.0.2"));

        // Every guess is a different token: if a token opened a budget of its own, none of them would ever be limited.
        for (var i = 0; i < 2; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/access/v1/evaluation") { Content = new StringContent(Body, Encoding.UTF8, "application/json") };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "pep_guess-" + i + "-0000000000000000000000000000000000");
            using var unauthorized = await forger.SendAsync(request, Ct);
            await ProblemAssert.ProblemAsync(unauthorized, HttpStatusCode.Unauthorized, "unauthenticated");
        }

        using (var request = new HttpRequestMessage(HttpMethod.Post, "/access/v1/evaluation") { Content = new StringContent(Body, Encoding.UTF8, "application/json") })
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "pep_guess-last-0000000000000000000000000000000000");
            using var refused = await forger.SendAsync(request, Ct);
            await ProblemAssert.ProblemAsync(refused, HttpStatusCode.TooManyRequests, "rate-limited");
            Assert.NotNull(refused.Headers.RetryAfter);
        }

        // Another network is not affected by that one's flood.
        using var other = server.CreateClientFrom(IPAddress.Parse("127.0.0.3"));
        using var answered = await EvaluateAsync(other);
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
    }
}
