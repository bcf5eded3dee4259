using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mandate.Core.Audit;
using Mandate.Core.Storage;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Mandate.Tests.Shared.ProblemAssert;

namespace Mandate.Server.Tests.Identity;

public sealed class InventoryEndpointTests(InventoryEndpointTests.Fixture fixture) : IClassFixture<InventoryEndpointTests.Fixture>
{
    public sealed class Fixture : IAsyncLifetime
    {
        internal MandateTestServer Server { get; private set; } = null!;

        public HttpClient Admin { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            Server = await MandateTestServer.StartAsync();
            Admin = Server.CreateAdminClient();
        }

        public async ValueTask DisposeAsync()
        {
            Admin.Dispose();
            await Server.DisposeAsync();
        }
    }

    private static object Registration(string path, string kind = "workload", string owner = "team:payments", object? labels = null) => new
    {
        spiffe_id = "spiffe://demo.mandate.local/" + path,
        kind,
        owner,
        purpose = "invoices",
        environment = "staging",
        ttl_seconds = 86400,
        labels = labels ?? new Dictionary<string, string> { ["tier"] = "gold" },
    };

    private async Task<List<string>> AuditTypesForAsync(string subject)
    {
        var store = fixture.Server.Services.GetRequiredService<IMandateStore>();
        await using var session = await store.BeginAsync(StoreIntent.Read, TestContext.Current.CancellationToken);
        var types = new List<string>();
        await foreach (var record in session.Get<IAuditRepository>().ReadAsync(0, TestContext.Current.CancellationToken))
        {
            using var body = JsonDocument.Parse(record.CanonicalJson);
            if (body.RootElement.TryGetProperty("subject", out var s) && s.GetString() == subject)
            {
                types.Add(body.RootElement.GetProperty("type").GetString()!);
            }
        }

        return types;
    }

    [Fact]
    public async Task Register_ShouldCreateTheIdentity_AndAuditIt()
    {
        var ct = TestContext.Current.CancellationToken;
        var response = await fixture.Admin.PostAsJsonAsync("/v1/identities", Registration("svc/registered"), ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        Assert.Equal("active", body.GetProperty("status").GetString());
        Assert.Equal("gold", body.GetProperty("labels").GetProperty("tier").GetString());
        Assert.Equal("/v1/identities/demo.mandate.local/svc/registered", response.Headers.Location?.OriginalString);

        var fetched = await fixture.Admin.GetFromJsonAsync<JsonElement>("/v1/identities/demo.mandate.local/svc/registered", ct);
        Assert.Equal("team:payments", fetched.GetProperty("owner").GetString());
        Assert.Equal("staging", fetched.GetProperty("environment").GetString());
        Assert.Contains("identity.registered", await AuditTypesForAsync("spiffe://demo.mandate.local/svc/registered"));
    }

    [Fact]
    public async Task Register_ShouldRefuseADuplicate()
    {
        var ct = TestContext.Current.CancellationToken;
        await fixture.Admin.PostAsJsonAsync("/v1/identities", Registration("svc/twice"), ct);
        await ProblemAsync(await fixture.Admin.PostAsJsonAsync("/v1/identities", Registration("svc/twice"), ct), HttpStatusCode.Conflict, "identity-exists");
    }

    public static TheoryData<string, string> BadRegistrations() => new()
    {
        { """{"spiffe_id":"spiffe://demo.mandate.local/a","kind":"workload","purpose":"p","ttl_seconds":60}""", "identity-invalid" },
        { """{"spiffe_id":"spiffe://demo.mandate.local/a","kind":"workload","owner":"o","ttl_seconds":60}""", "identity-invalid" },
        { """{"spiffe_id":"spiffe://demo.mandate.local/a","kind":"workload","owner":"o","purpose":"p"}""", "identity-invalid" },
        { """{"spiffe_id":"spiffe://demo.mandate.local/a","kind":"robot","owner":"o","purpose":"p","ttl_seconds":60}""", "identity-invalid" },
        { """{"spiffe_id":"spiffe://demo.mandate.local/a/../b","kind":"workload","owner":"o","purpose":"p","ttl_seconds":60}""", "invalid-spiffe-id" },
        { """{"spiffe_id":"spiffe://other.example/a","kind":"workload","owner":"o","purpose":"p","ttl_seconds":60}""", "invalid-spiffe-id" },
        { """{"spiffe_id":"spiffe://demo.mandate.local","kind":"workload","owner":"o","purpose":"p","ttl_seconds":60}""", "invalid-spiffe-id" },
        { """{"spiffe_id":"spiffe://demo.mandate.local/a","kind":"workload","owner":"o","purpose":"p","ttl_seconds":40000000}""", "identity-lifetime-exceeded" },
        { """{"spiffe_id":"spiffe://demo.mandate.local/a","kind":"workload","owner":"o","purpose":"p","expires_at":"2001-01-01T00:00:00Z"}""", "identity-invalid" },
        { """{"spiffe_id":"spiffe://demo.mandate.local/a","kind":"workload","owner":"o","purpose":"p","ttl_seconds":60,"labels":{"bad key!":"v"}}""", "identity-invalid" },
    };

    [Theory]
    [MemberData(nameof(BadRegistrations))]
    public async Task Register_ShouldRefuseBadInput_WithProblemDetails(string json, string code)
    {
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        var response = await fixture.Admin.PostAsync(new Uri("/v1/identities", UriKind.Relative), content, TestContext.Current.CancellationToken);
        await ProblemAsync(response, HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task Register_ShouldNeedTheAdminToken()
    {
        var response = await fixture.Server.Client.PostAsJsonAsync("/v1/identities", Registration("svc/anon"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task List_ShouldFilterByOwnerKindStatusEnvironmentAndLabel()
    {
        var ct = TestContext.Current.CancellationToken;
        await fixture.Admin.PostAsJsonAsync("/v1/identities", Registration("list/a", "agent", "team:list", new Dictionary<string, string> { ["zone"] = "eu" }), ct);
        await fixture.Admin.PostAsJsonAsync("/v1/identities", Registration("list/b", "workload", "team:list", new Dictionary<string, string> { ["zone"] = "us" }), ct);
        await fixture.Admin.PostAsJsonAsync("/v1/identities", Registration("list/c", "agent", "team:other"), ct);
        await fixture.Admin.PostAsJsonAsync("/v1/identities/suspend", new { spiffe_id = "spiffe://demo.mandate.local/list/b" }, ct);

        async Task<List<string>> Ids(string query) =>
            (await fixture.Admin.GetFromJsonAsync<JsonElement>("/v1/identities?" + query, ct)).GetProperty("identities").EnumerateArray()
                .Select(i => i.GetProperty("spiffe_id").GetString()!).Where(i => i.Contains("/list/", StringComparison.Ordinal)).ToList();

        Assert.Equal(["spiffe://demo.mandate.local/list/a", "spiffe://demo.mandate.local/list/b"], await Ids("owner=team:list"));
        Assert.Equal(["spiffe://demo.mandate.local/list/a", "spiffe://demo.mandate.local/list/c"], await Ids("kind=agent"));
        Assert.Equal(["spiffe://demo.mandate.local/list/b"], await Ids("status=suspended"));
        Assert.Equal(["spiffe://demo.mandate.local/list/a"], await Ids("label=zone%3Deu"));
        Assert.Equal(3, (await Ids("prefix=spiffe://demo.mandate.local/list/&environment=staging")).Count);

        var page = await fixture.Admin.GetFromJsonAsync<JsonElement>("/v1/identities?prefix=spiffe://demo.mandate.local/list/&limit=2", ct);
        Assert.Equal(2, page.GetProperty("identities").GetArrayLength());
        var next = page.GetProperty("next").GetString();
        var rest = await fixture.Admin.GetFromJsonAsync<JsonElement>($"/v1/identities?prefix=spiffe://demo.mandate.local/list/&after={Uri.EscapeDataString(next!)}", ct);
        Assert.Equal("spiffe://demo.mandate.local/list/c", Assert.Single(rest.GetProperty("identities").EnumerateArray()).GetProperty("spiffe_id").GetString());

        await ProblemAsync(await fixture.Admin.GetAsync(new Uri("/v1/identities?kind=robot", UriKind.Relative), ct), HttpStatusCode.BadRequest, "invalid-request");
    }

    [Fact]
    public async Task Lifecycle_ShouldFollowItsTransitions_AndAuditEachChange()
    {
        var ct = TestContext.Current.CancellationToken;
        const string id = "spiffe://demo.mandate.local/life/cycle";
        await fixture.Admin.PostAsJsonAsync("/v1/identities", Registration("life/cycle"), ct);

        Assert.Equal(HttpStatusCode.OK, (await fixture.Admin.PostAsJsonAsync("/v1/identities/suspend", new { spiffe_id = id, reason = "incident 42" }, ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await fixture.Admin.PostAsJsonAsync("/v1/identities/reactivate", new { spiffe_id = id }, ct)).StatusCode);
        var revoked = await fixture.Admin.PostAsJsonAsync("/v1/identities/revoke", new { spiffe_id = id, reason = "key leaked" }, ct);
        Assert.Equal("key leaked", (await revoked.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("status_reason").GetString());
        await ProblemAsync(await fixture.Admin.PostAsJsonAsync("/v1/identities/reactivate", new { spiffe_id = id }, ct), HttpStatusCode.Conflict, "identity-transition-refused");
        Assert.Equal(HttpStatusCode.OK, (await fixture.Admin.PostAsJsonAsync("/v1/identities/offboard", new { spiffe_id = id }, ct)).StatusCode);

        var types = await AuditTypesForAsync(id);
        Assert.Equal(["identity.registered", "identity.suspended", "identity.reactivated", "identity.revoked", "identity.request_rejected", "identity.offboarded"], types);
    }

    [Fact]
    public async Task UnknownIdentity_ShouldAnswer404_AndBadIdsShouldAnswer400()
    {
        var ct = TestContext.Current.CancellationToken;
        await ProblemAsync(await fixture.Admin.GetAsync(new Uri("/v1/identities/demo.mandate.local/nope", UriKind.Relative), ct), HttpStatusCode.NotFound, "identity-unknown");
        await ProblemAsync(await fixture.Admin.GetAsync(new Uri("/v1/identities/Demo.local/x", UriKind.Relative), ct), HttpStatusCode.BadRequest, "invalid-spiffe-id");
        await ProblemAsync(await fixture.Admin.PostAsJsonAsync("/v1/identities/suspend", new { spiffe_id = "spiffe://demo.mandate.local/nope" }, ct), HttpStatusCode.NotFound, "identity-unknown");
        await ProblemAsync(await fixture.Admin.PostAsJsonAsync("/v1/identities/suspend", new { }, ct), HttpStatusCode.BadRequest, "invalid-spiffe-id");
    }

    [Fact]
    public async Task DemoMode_ShouldSeedTheDemoIdentities()
    {
        var ct = TestContext.Current.CancellationToken;
        var body = await fixture.Admin.GetFromJsonAsync<JsonElement>("/v1/identities?label=demo%3Dtrue", ct);
        var byId = body.GetProperty("identities").EnumerateArray().ToDictionary(i => i.GetProperty("spiffe_id").GetString()!, i => i);
        Assert.Equal("ci_pipeline", byId["spiffe://demo.mandate.local/ci/github/deploy-pipeline"].GetProperty("kind").GetString());
        Assert.Equal("team:platform", byId["spiffe://demo.mandate.local/ci/github/deploy-pipeline"].GetProperty("owner").GetString());
        Assert.Equal("workload", byId["spiffe://demo.mandate.local/svc/billing"].GetProperty("kind").GetString());
        Assert.Equal("alice@example.com", byId["spiffe://demo.mandate.local/svc/billing"].GetProperty("labels").GetProperty("contact").GetString());
        Assert.Equal("agent", byId["spiffe://demo.mandate.local/agent/support-assistant"].GetProperty("kind").GetString());
        Assert.Equal("team:support", byId["spiffe://demo.mandate.local/agent/support-assistant"].GetProperty("owner").GetString());
    }
}
