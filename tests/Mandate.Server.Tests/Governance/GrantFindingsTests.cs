using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mandate.Server.Tests.Infrastructure;
using Mandate.Server.Tests.Operators;
using Mandate.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Governance;

/// <summary>
/// Findings about Mandate's own registered identities and its policies, over real HTTP: broad_policy from the demo
/// policies, and stale and unused_grant judged from the decisions the ledger recorded, resolving once used.
/// </summary>
public sealed class GrantFindingsTests(GrantFindingsTests.Fixture fixture) : IClassFixture<GrantFindingsTests.Fixture>
{
    private const string Billing = "spiffe://demo.mandate.local/svc/billing";

    private MandateTestServer server => fixture.Server;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class Fixture : IAsyncLifetime
    {
        internal MandateTestServer Server { get; private set; } = null!;

        public ManualClock Clock { get; } = new(DateTimeOffset.UtcNow);

        public async ValueTask InitializeAsync() =>
            Server = await MandateTestServer.StartAsync(configureBuilder: b => b.Services.AddSingleton<TimeProvider>(Clock));

        public async ValueTask DisposeAsync() => await Server.DisposeAsync();
    }

    private async Task<List<JsonElement>> FindingsAsync(HttpClient client, string query)
    {
        var body = await client.GetFromJsonAsync<JsonElement>(new Uri("/v1/findings" + query, UriKind.Relative), Ct);
        return [.. body.GetProperty("findings").EnumerateArray()];
    }

    private async Task RecomputeAsync(HttpClient admin)
    {
        using var response = await admin.PostAsync(new Uri("/v1/findings/recompute", UriKind.Relative), null, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    // An allowed decision, then wait until the decision audit queue has put it in the ledger.
    private async Task AllowAsync(HttpClient admin, string invoice)
    {
        var before = (await OperatorTestData.EventsAsync(server, "decision")).Count;
        var request = "{\"subject\":{\"type\":\"Workload\",\"id\":\"" + Billing + "\"},\"action\":{\"name\":\"read\"},\"resource\":{\"type\":\"Invoice\",\"id\":\"" + invoice + "\"}}";
        using var response = await admin.PostAsync(new Uri("/access/v1/evaluation", UriKind.Relative), new StringContent(request, Encoding.UTF8, "application/json"), Ct);
        Assert.True(JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("decision").GetBoolean());
        for (var i = 0; i < 100 && (await OperatorTestData.EventsAsync(server, "decision")).Count == before; i++)
        {
            await Task.Delay(100, Ct);
        }

        Assert.True((await OperatorTestData.EventsAsync(server, "decision")).Count > before, "the decision never reached the ledger");
    }

    private static IEnumerable<string?> Evidence(JsonElement finding, string kind, string property) =>
        finding.GetProperty("evidence").EnumerateArray().Where(e => e.GetProperty("kind").GetString() == kind).Select(e => e.GetProperty(property).ToString());

    [Fact]
    public async Task BroadPolicy_ShouldNameTheWriteLikePermitsWithAnUnconstrainedResource_NotTheConditionedOnes()
    {
        using var admin = server.CreateAdminClient();
        var broad = await FindingsAsync(admin, "?kind=broad_policy");
        var policies = broad.Select(f => Evidence(f, "policy", "id").Single()).Order(StringComparer.Ordinal).ToList();
        // support-mcp-write-in-write-task is broad by design: any MCP tool, narrowed at run time by the task intent (docs/mcp-gateway.md).
        Assert.Equal(["billing-invoices", "support-mcp-write-in-write-task", "support-write-tickets"], policies);
        var billing = broad.Single(f => Evidence(f, "policy", "id").Single() == "billing-invoices");
        Assert.Equal(Billing, billing.GetProperty("identity").GetString());
        Assert.Equal("team:payments", billing.GetProperty("owner").GetString());
        Assert.Equal("write", billing.GetProperty("evidence").EnumerateArray().Single(e => e.GetProperty("kind").GetString() == "field" && e.GetProperty("name").GetString() == "actions").GetProperty("value").GetString());
    }

    [Fact]
    public async Task RegisteredIdentity_ShouldBeStaleAndHoldUnusedGrants_UntilItUsesThem()
    {
        using var admin = server.CreateAdminClient();
        await AllowAsync(admin, "INV-2026-001");
        var firstUse = (await OperatorTestData.EventsAsync(server, "decision")).Last(e => e.GetProperty("subject").GetString()!.Contains(Billing, StringComparison.Ordinal)).GetProperty("seq").GetInt64();

        // Younger than the window: no unused_grant, no stale.
        await RecomputeAsync(admin);
        Assert.DoesNotContain(await FindingsAsync(admin, "?identity=" + Uri.EscapeDataString(Billing)), f => f.GetProperty("kind").GetString() is "unused_grant" or "stale");

        fixture.Clock.Advance(TimeSpan.FromDays(100));
        await RecomputeAsync(admin);
        var findings = await FindingsAsync(admin, "?identity=" + Uri.EscapeDataString(Billing));
        var stale = Assert.Single(findings, f => f.GetProperty("kind").GetString() == "stale");
        Assert.Equal([firstUse.ToString(System.Globalization.CultureInfo.InvariantCulture)], Evidence(stale, "ledger", "sequence"));
        var unused = findings.Where(f => f.GetProperty("kind").GetString() == "unused_grant").ToList();
        var read = Assert.Single(unused, f => f.GetProperty("summary").GetString()!.Contains(" may read Invoice", StringComparison.Ordinal));
        var write = Assert.Single(unused, f => f.GetProperty("summary").GetString()!.Contains(" may write Invoice", StringComparison.Ordinal));
        Assert.Equal(["billing-invoices"], Evidence(write, "policy", "id"));
        Assert.Equal([firstUse.ToString(System.Globalization.CultureInfo.InvariantCulture)], Evidence(read, "ledger", "sequence"));
        Assert.Empty(Evidence(write, "ledger", "sequence"));

        // Reading again clears the read grant and the staleness; the write grant stays unused.
        await AllowAsync(admin, "INV-2026-002");
        await RecomputeAsync(admin);
        var open = await FindingsAsync(admin, "?identity=" + Uri.EscapeDataString(Billing));
        Assert.DoesNotContain(open, f => f.GetProperty("id").GetString() == read.GetProperty("id").GetString());
        Assert.DoesNotContain(open, f => f.GetProperty("kind").GetString() == "stale");
        Assert.Contains(open, f => f.GetProperty("id").GetString() == write.GetProperty("id").GetString());
        var resolved = await FindingsAsync(admin, "?status=resolved&identity=" + Uri.EscapeDataString(Billing));
        Assert.Contains(resolved, f => f.GetProperty("id").GetString() == read.GetProperty("id").GetString());
        Assert.Contains(await OperatorTestData.EventsAsync(server, "finding.resolved"), e => e.GetProperty("subject").GetString() == Billing && e.GetProperty("details").GetProperty("kind").GetString()!.Split(' ').Contains("unused_grant"));
    }
}
