using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Mandate.Tests.Shared.ProblemAssert;

namespace Mandate.Server.Tests.Identity;

/// <summary>An identity past its expiry shows, and is filtered, as <c>expired</c>, computed from the clock.</summary>
public sealed class IdentityExpiryTests
{
    private const string Short = "spiffe://demo.mandate.local/expiry/short";
    private const string Long = "spiffe://demo.mandate.local/expiry/long";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnIdentityPastItsExpiry_ShouldShowAndFilterAsExpired_NotActive()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var server = await MandateTestServer.StartAsync(configureBuilder: b => b.Services.AddSingleton<TimeProvider>(clock));
        using var admin = server.CreateAdminClient();
        foreach (var (id, ttl) in new[] { (Short, 60), (Long, 86400) })
        {
            using var created = await admin.PostAsJsonAsync("/v1/identities", new { spiffe_id = id, kind = "workload", owner = "team:x", purpose = "expiry", environment = "test", ttl_seconds = ttl }, Ct);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var body = await created.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.Equal("active", body.GetProperty("status").GetString());
            Assert.False(body.GetProperty("expired").GetBoolean());
        }

        Assert.Equal([Short, Long], await IdsAsync(admin, "status=active"));
        Assert.Empty(await IdsAsync(admin, "status=expired"));

        clock.Advance(TimeSpan.FromSeconds(61));

        var shown = await admin.GetFromJsonAsync<JsonElement>("/v1/identities/demo.mandate.local/expiry/short", Ct);
        Assert.Equal("expired", shown.GetProperty("status").GetString());
        Assert.True(shown.GetProperty("expired").GetBoolean());
        Assert.Equal([Short], await IdsAsync(admin, "status=expired"));
        Assert.Equal([Long], await IdsAsync(admin, "status=active"));
        var all = await admin.GetFromJsonAsync<JsonElement>("/v1/identities?prefix=spiffe://demo.mandate.local/expiry/", Ct);
        Assert.Equal(["expired", "active"], all.GetProperty("identities").EnumerateArray().Select(i => i.GetProperty("status").GetString()).Reverse());

        // A lifecycle state other than active is shown as it is; "expired" then tells the rest.
        using (var suspend = await admin.PostAsJsonAsync("/v1/identities/suspend", new { spiffe_id = Short, reason = "review" }, Ct))
        {
            var suspended = await suspend.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.Equal("suspended", suspended.GetProperty("status").GetString());
            Assert.True(suspended.GetProperty("expired").GetBoolean());
        }

        Assert.Empty(await IdsAsync(admin, "status=expired"));
        using var bad = await admin.GetAsync(new Uri("/v1/identities?status=stale", UriKind.Relative), Ct);
        var problem = await ProblemAsync(bad, HttpStatusCode.BadRequest, "invalid-request");
        Assert.Contains("expired", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private static async Task<List<string>> IdsAsync(HttpClient admin, string query) =>
        (await admin.GetFromJsonAsync<JsonElement>("/v1/identities?prefix=spiffe://demo.mandate.local/expiry/&" + query, Ct)).GetProperty("identities")
            .EnumerateArray().Select(i => i.GetProperty("spiffe_id").GetString()!).OrderByDescending(i => i, StringComparer.Ordinal).ToList();
}
