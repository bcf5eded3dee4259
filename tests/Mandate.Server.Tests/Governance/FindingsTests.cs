using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mandate.Server.Tests.Infrastructure;
using Mandate.Server.Tests.Operators;
using Mandate.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Governance;

/// <summary>Findings over real HTTP: the demo's at once, their shape, resolving and reopening with the inventory, roles, and the ledger.</summary>
public sealed class FindingsTests(FindingsTests.Fixture fixture) : IClassFixture<FindingsTests.Fixture>
{
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

    private async Task<List<JsonElement>> FindingsAsync(HttpClient client, string query = "")
    {
        var body = await client.GetFromJsonAsync<JsonElement>(new Uri("/v1/findings" + query, UriKind.Relative), Ct);
        return [.. body.GetProperty("findings").EnumerateArray()];
    }

    [Fact]
    public async Task Demo_ShouldShowFindingsAtOnce_InTheDocumentedShape()
    {
        using var admin = server.CreateAdminClient();
        var findings = await FindingsAsync(admin);
        var backup = "arn:aws:iam::111122223333:user/svc-nightly-backup";
        Assert.Contains(findings, f => f.GetProperty("kind").GetString() == "stale" && f.GetProperty("identity").GetString() == backup);
        Assert.Contains(findings, f => f.GetProperty("kind").GetString() == "rotation_overdue" && f.GetProperty("identity").GetString() == "arn:aws:iam::111122223333:user/svc-legacy-reporting");
        Assert.Contains(findings, f => f.GetProperty("kind").GetString() == "no_owner" && f.GetProperty("identity").GetString() == "arn:aws:iam::111122223333:user/ci/ci-deployer");
        Assert.DoesNotContain(findings, f => f.GetProperty("identity").GetString()!.Contains("dana.ops", StringComparison.Ordinal));

        var stale = findings.First(f => f.GetProperty("kind").GetString() == "stale" && f.GetProperty("identity").GetString() == backup);
        Assert.Equal(["id", "kind", "severity", "identity", "owner", "summary", "evidence", "first_seen", "status", "remediation"], stale.EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Null, stale.GetProperty("owner").ValueKind);
        Assert.Equal("open", stale.GetProperty("status").GetString());
        var evidence = stale.GetProperty("evidence").EnumerateArray().First();
        Assert.Equal("field", evidence.GetProperty("kind").GetString());
        Assert.Equal("access_key_1_last_used_date", evidence.GetProperty("name").GetString());
        Assert.Equal("aws", evidence.GetProperty("source").GetString());
        Assert.Single(await FindingsAsync(admin, "?kind=stale&identity=" + Uri.EscapeDataString(backup)));
    }

    [Fact]
    public async Task Finding_ShouldResolveWhenTheConditionClears_AndReopenWhenItReturns_EachInTheLedger()
    {
        using var admin = server.CreateAdminClient();
        const string id = "approle/resolving";
        string Import(string? owner) => $$"""{"identities":[{"source":"vault","external_id":"{{id}}","owner":{{(owner is null ? "null" : "\"" + owner + "\"")}}}]}""";
        async Task ImportAsync(string? owner)
        {
            using var content = new StringContent(Import(owner), Encoding.UTF8, "application/json");
            using var response = await admin.PostAsync(new Uri("/v1/identities/import?format=json", UriKind.Relative), content, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await ImportAsync(null);
        var open = Assert.Single(await FindingsAsync(admin, "?identity=" + Uri.EscapeDataString(id)));
        Assert.Equal("no_owner", open.GetProperty("kind").GetString());
        var findingId = open.GetProperty("id").GetString()!;

        // team:payments owns a registered demo identity: a known owner, so neither no_owner nor orphaned.
        await ImportAsync("team:payments");
        Assert.Empty(await FindingsAsync(admin, "?identity=" + Uri.EscapeDataString(id)));
        var resolved = Assert.Single(await FindingsAsync(admin, "?status=resolved&identity=" + Uri.EscapeDataString(id)));
        Assert.Equal(findingId, resolved.GetProperty("id").GetString());

        await ImportAsync(null);
        var reopened = Assert.Single(await FindingsAsync(admin, "?identity=" + Uri.EscapeDataString(id)));
        Assert.Equal(open.GetProperty("first_seen").GetString(), reopened.GetProperty("first_seen").GetString());

        foreach (var type in new[] { "finding.opened", "finding.resolved", "finding.reopened" })
        {
            var recorded = Assert.Single(await OperatorTestData.EventsAsync(server, type), e => e.GetProperty("details").GetProperty("finding").GetString() == findingId);
            Assert.Equal("admin", recorded.GetProperty("actor").GetString());
        }
    }

    [Fact]
    public async Task Findings_ShouldBeReadableByAnAuditor_ButRecomputedOnlyBySecurity()
    {
        var (auditor, _, _) = await OperatorTestData.AddWithTokenAsync(server, "findings-auditor", "auditor");
        using (auditor)
        {
            Assert.NotEmpty(await FindingsAsync(auditor));
            await OperatorTestData.AssertProblemAsync(await auditor.PostAsync(new Uri("/v1/findings/recompute", UriKind.Relative), null, Ct), HttpStatusCode.Forbidden, "forbidden");
        }

        using var anonymous = new HttpClient { BaseAddress = server.Address };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri("/v1/findings", UriKind.Relative), Ct)).StatusCode);

        using var admin = server.CreateAdminClient();
        using var recompute = await admin.PostAsync(new Uri("/v1/findings/recompute", UriKind.Relative), null, Ct);
        Assert.Equal(HttpStatusCode.OK, recompute.StatusCode);
        await ProblemAssert.ProblemAsync(await admin.GetAsync(new Uri("/v1/findings?kind=bogus", UriKind.Relative), Ct), HttpStatusCode.BadRequest, "invalid-request");
    }

    [Fact]
    public async Task AcceptedFinding_ShouldStayAcceptedUntilItsExpiry_ThenReopen_EachInTheLedger()
    {
        using var admin = server.CreateAdminClient();
        using (var content = new StringContent("""{"identities":[{"source":"vault","external_id":"approle/accepted"}]}""", Encoding.UTF8, "application/json"))
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync(new Uri("/v1/identities/import?format=json", UriKind.Relative), content, Ct)).StatusCode);
        }

        var finding = Assert.Single(await FindingsAsync(admin, "?identity=approle%2Faccepted")).GetProperty("id").GetString()!;
        var until = fixture.Clock.GetUtcNow().AddHours(1);
        await ProblemAssert.ProblemAsync(await admin.PostAsJsonAsync(new Uri($"/v1/findings/{finding}/accept", UriKind.Relative), new { reason = " ", until }, Ct), HttpStatusCode.BadRequest, "invalid-request");
        await ProblemAssert.ProblemAsync(await admin.PostAsJsonAsync(new Uri($"/v1/findings/{finding}/accept", UriKind.Relative), new { reason = "past", until = fixture.Clock.GetUtcNow().AddHours(-1) }, Ct), HttpStatusCode.BadRequest, "invalid-request");
        await ProblemAssert.ProblemAsync(await admin.PostAsJsonAsync(new Uri("/v1/findings/fnd_00000000000000000000/accept", UriKind.Relative), new { reason = "x", until }, Ct), HttpStatusCode.NotFound, "not-found");

        var (auditor, _, _) = await OperatorTestData.AddWithTokenAsync(server, "accept-auditor", "auditor");
        using (auditor)
        {
            await OperatorTestData.AssertProblemAsync(await auditor.PostAsJsonAsync(new Uri($"/v1/findings/{finding}/accept", UriKind.Relative), new { reason = "x", until }, Ct), HttpStatusCode.Forbidden, "forbidden");
        }

        using (var accepted = await admin.PostAsJsonAsync(new Uri($"/v1/findings/{finding}/accept", UriKind.Relative), new { reason = "owned by the vault team, ticket SEC-42", until }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        Assert.Empty(await FindingsAsync(admin, "?identity=approle%2Faccepted"));
        using (var recompute = await admin.PostAsync(new Uri("/v1/findings/recompute", UriKind.Relative), null, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, recompute.StatusCode);
        }

        Assert.Equal("accepted", Assert.Single(await FindingsAsync(admin, "?status=accepted&identity=approle%2Faccepted")).GetProperty("status").GetString());
        var recorded = Assert.Single(await OperatorTestData.EventsAsync(server, "finding.accepted"), e => e.GetProperty("details").GetProperty("finding").GetString() == finding);
        Assert.Equal("owned by the vault team, ticket SEC-42", recorded.GetProperty("reason").GetString());

        fixture.Clock.Advance(TimeSpan.FromHours(2));
        using (var recompute = await admin.PostAsync(new Uri("/v1/findings/recompute", UriKind.Relative), null, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, recompute.StatusCode);
        }

        Assert.Equal("open", Assert.Single(await FindingsAsync(admin, "?identity=approle%2Faccepted")).GetProperty("status").GetString());
        Assert.Contains(await OperatorTestData.EventsAsync(server, "finding.reopened"), e => e.GetProperty("details").GetProperty("finding").GetString() == finding && e.GetProperty("reason").GetString() == "acceptance expired");
    }

    [Fact]
    public async Task AcceptedFinding_WhoseContentChanges_ShouldKeepItsAcceptance_AndStillReopenAtItsExpiry()
    {
        using var admin = server.CreateAdminClient();
        async Task ImportAsync(string owner)
        {
            using var content = new StringContent($$"""{"identities":[{"source":"vault","external_id":"approle/accepted-moves","owner":"{{owner}}"}]}""", Encoding.UTF8, "application/json");
            Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync(new Uri("/v1/identities/import?format=json", UriKind.Relative), content, Ct)).StatusCode);
        }

        await ImportAsync("unknown-team-a");
        var finding = Assert.Single(await FindingsAsync(admin, "?identity=approle%2Faccepted-moves"));
        Assert.Equal("orphaned", finding.GetProperty("kind").GetString());
        var id = finding.GetProperty("id").GetString()!;
        var until = fixture.Clock.GetUtcNow().AddHours(1);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync(new Uri($"/v1/findings/{id}/accept", UriKind.Relative), new { reason = "moving teams", until }, Ct)).StatusCode);

        // Same finding (same kind and identity), new content: another unknown owner. It is rewritten, still accepted.
        await ImportAsync("unknown-team-b");
        Assert.True((await admin.PostAsync(new Uri("/v1/findings/recompute", UriKind.Relative), null, Ct)).IsSuccessStatusCode);
        var moved = Assert.Single(await FindingsAsync(admin, "?status=accepted&identity=approle%2Faccepted-moves"));
        Assert.Equal((id, "accepted", "unknown-team-b"), (moved.GetProperty("id").GetString(), moved.GetProperty("status").GetString(), moved.GetProperty("owner").GetString()));

        // The acceptance's expiry came along: past it, the finding reopens.
        fixture.Clock.Advance(TimeSpan.FromHours(2));
        Assert.True((await admin.PostAsync(new Uri("/v1/findings/recompute", UriKind.Relative), null, Ct)).IsSuccessStatusCode);
        Assert.Equal("open", Assert.Single(await FindingsAsync(admin, "?identity=approle%2Faccepted-moves")).GetProperty("status").GetString());
        Assert.Contains(await OperatorTestData.EventsAsync(server, "finding.reopened"), e => e.GetProperty("details").GetProperty("finding").GetString() == id && e.GetProperty("reason").GetString() == "acceptance expired");
    }

    [Fact]
    public async Task UnknownOwner_ShouldBeOrphaned_UntilTheOwnerIsAnOperator()
    {
        using var admin = server.CreateAdminClient();
        using (var content = new StringContent("""{"identities":[{"source":"vault","external_id":"approle/orphan","owner":"gone-operator"}]}""", Encoding.UTF8, "application/json"))
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync(new Uri("/v1/identities/import?format=json", UriKind.Relative), content, Ct)).StatusCode);
        }

        var orphaned = Assert.Single(await FindingsAsync(admin, "?identity=approle%2Forphan"));
        Assert.Equal("orphaned", orphaned.GetProperty("kind").GetString());
        Assert.Equal("gone-operator", orphaned.GetProperty("owner").GetString());
        Assert.Equal("gone-operator", orphaned.GetProperty("evidence")[0].GetProperty("value").GetString());

        Assert.True((await admin.PostAsJsonAsync(new Uri("/v1/operators", UriKind.Relative), new { name = "gone-operator", roles = new[] { "auditor" } }, Ct)).IsSuccessStatusCode);
        Assert.True((await admin.PostAsync(new Uri("/v1/findings/recompute", UriKind.Relative), null, Ct)).IsSuccessStatusCode);
        Assert.Empty(await FindingsAsync(admin, "?identity=approle%2Forphan"));

        Assert.True((await admin.PostAsync(new Uri("/v1/operators/gone-operator/disable", UriKind.Relative), null, Ct)).IsSuccessStatusCode);
        Assert.True((await admin.PostAsync(new Uri("/v1/findings/recompute", UriKind.Relative), null, Ct)).IsSuccessStatusCode);
        Assert.Equal("orphaned", Assert.Single(await FindingsAsync(admin, "?identity=approle%2Forphan")).GetProperty("kind").GetString());
    }
}
