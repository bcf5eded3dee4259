using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mandate.Server.Tests.Infrastructure;
using Mandate.Server.Tests.Operators;
using Mandate.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Governance;

/// <summary>
/// Access reviews over real HTTP, on SQLite and on PostgreSQL: a campaign's items come from the policies the decision
/// point enforces, the reviewer (not the starter) decides, a revoked entitlement is denied at once by a new policy
/// version, a revoked identity is suspended, every step is in the ledger, and an overdue campaign shows as such.
/// </summary>
public sealed class ReviewsTests
{
    private const string Billing = "spiffe://demo.mandate.local/svc/billing";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Review_ShouldEnforceRevocationsAtOnce_AndRecordEveryStep_OnSqlite()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var server = await MandateTestServer.StartAsync(configureBuilder: b => b.Services.AddSingleton<TimeProvider>(clock));
        var id = await ScenarioAsync(server);

        using var auditor = (await OperatorTestData.AddWithTokenAsync(server, "rs-overdue", "auditor")).Client;
        Assert.Empty(await ListAsync(auditor, "?status=overdue"));
        clock.Advance(TimeSpan.FromDays(15));
        var overdue = Assert.Single(await ListAsync(auditor, "?status=overdue"), r => r.GetProperty("id").GetString() == id);
        Assert.True(overdue.GetProperty("overdue").GetBoolean());
        Assert.Empty(await ListAsync(auditor, "?status=completed"));
        Assert.Contains(await ListAsync(auditor, "?status=open"), r => r.GetProperty("id").GetString() == id);

        // Reported once in the ledger (the background loop runs this every minute).
        var reviews = server.Services.GetRequiredService<Mandate.Core.Governance.Reviews.ReviewService>();
        Assert.True(await reviews.ReportOverdueAsync(Ct) >= 1);
        Assert.Equal(0, await reviews.ReportOverdueAsync(Ct));
        var late = Assert.Single(await OperatorTestData.EventsAsync(server, "review.overdue"), e => e.GetProperty("details").GetProperty("campaign").GetString() == id);
        Assert.Equal("system", late.GetProperty("actor").GetString());
        Assert.Equal("operator:rs-rev", late.GetProperty("details").GetProperty("reviewer").GetString());
    }

    [Fact]
    public async Task Review_ShouldEnforceRevocationsAtOnce_AndRecordEveryStep_OnPostgres()
    {
        var connection = await PostgresTestDatabase.CreateSchemaAsync();
        await using var server = await MandateTestServer.StartAsync(o => o.Store = MandateTestServer.PostgresLocation(connection));
        await ScenarioAsync(server);
    }

    private static async Task<string> ScenarioAsync(MandateTestServer server)
    {
        using var security = (await OperatorTestData.AddWithTokenAsync(server, "rs-sec", "security")).Client;
        using var reviewer = (await OperatorTestData.AddWithTokenAsync(server, "rs-rev", "reviewer")).Client;
        using var auditor = (await OperatorTestData.AddWithTokenAsync(server, "rs-aud", "auditor")).Client;
        using var both = (await OperatorTestData.AddWithTokenAsync(server, "rs-both", "security", "reviewer")).Client;
        var due = DateTimeOffset.UtcNow.AddDays(14);

        // Who may start, and the four-eyes rule.
        await OperatorTestData.AssertProblemAsync(await auditor.PostAsJsonAsync("/v1/reviews", new { owner = "team:payments", reviewer = "rs-rev", due }, Ct), HttpStatusCode.Forbidden, "forbidden");
        await OperatorTestData.AssertProblemAsync(await both.PostAsJsonAsync("/v1/reviews", new { owner = "team:payments", reviewer = "rs-both", due }, Ct), HttpStatusCode.Forbidden, "separation-of-duties");
        await OperatorTestData.AssertProblemAsync(await security.PostAsJsonAsync("/v1/reviews", new { owner = "team:payments", reviewer = "rs-aud", due }, Ct), HttpStatusCode.BadRequest, "review-invalid");
        await OperatorTestData.AssertProblemAsync(await security.PostAsJsonAsync("/v1/reviews", new { owner = "team:payments", all = true, reviewer = "rs-rev", due }, Ct), HttpStatusCode.BadRequest, "review-invalid");
        await OperatorTestData.AssertProblemAsync(await security.PostAsJsonAsync("/v1/reviews", new { owner = "team:payments", reviewer = "rs-rev", due = DateTimeOffset.UtcNow.AddDays(-1) }, Ct), HttpStatusCode.BadRequest, "review-invalid");
        await OperatorTestData.AssertProblemAsync(await security.PostAsJsonAsync("/v1/reviews", new { owner = "team:nobody", reviewer = "rs-rev", due }, Ct), HttpStatusCode.BadRequest, "review-invalid");

        var started = await security.PostAsJsonAsync("/v1/reviews", new { owner = "team:payments", reviewer = "rs-rev", due }, Ct);
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var campaign = await started.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var id = campaign.GetProperty("id").GetString()!;
        Assert.Equal("operator:rs-rev", campaign.GetProperty("reviewer").GetString());
        Assert.Equal("open", campaign.GetProperty("status").GetString());

        var items = (await auditor.GetFromJsonAsync<JsonElement>($"/v1/reviews/{id}", Ct)).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(campaign.GetProperty("items").GetInt32(), items.Count);
        Assert.Contains(items, i => i.GetProperty("kind").GetString() == "identity" && i.GetProperty("identity").GetString() == Billing);
        var read = items.Single(i => i.GetProperty("kind").GetString() == "entitlement" && i.GetProperty("identity").GetString() == Billing
            && i.GetProperty("action").GetString() == "Action::\"read\"" && i.GetProperty("resource_type").GetString() == "Invoice");
        Assert.Equal(["billing-invoices"], read.GetProperty("policies").EnumerateArray().Select(p => p.GetString()));
        var write = items.Single(i => i.GetProperty("kind").GetString() == "entitlement" && i.GetProperty("identity").GetString() == Billing
            && i.GetProperty("action").GetString() == "Action::\"write\"" && i.GetProperty("resource_type").GetString() == "Invoice");
        var identityItem = items.Single(i => i.GetProperty("kind").GetString() == "identity" && i.GetProperty("identity").GetString() == Billing);
        Assert.DoesNotContain(items, i => i.GetProperty("kind").GetString() == "entitlement" && i.GetProperty("resource_type").GetString() == "Ticket");

        string Decision(JsonElement item) => $"/v1/reviews/{id}/items/{item.GetProperty("item").GetInt32()}/decision";

        // Only the named reviewer decides; the starter and an auditor cannot.
        await OperatorTestData.AssertProblemAsync(await security.PostAsJsonAsync(Decision(read), new { decision = "revoke", reason = "x" }, Ct), HttpStatusCode.Forbidden, "forbidden");
        await OperatorTestData.AssertProblemAsync(await both.PostAsJsonAsync(Decision(read), new { decision = "revoke", reason = "x" }, Ct), HttpStatusCode.Forbidden, "review-not-reviewer");
        var forbiddenBy = DateTimeOffset.UtcNow.AddSeconds(10);
        while (!(await OperatorTestData.EventsAsync(server, "access.forbidden")).Any(e => e.GetProperty("actor").GetString() == "operator:rs-both" && e.GetProperty("reason").GetString()!.Contains("reviewer", StringComparison.Ordinal)))
        {
            Assert.True(DateTimeOffset.UtcNow < forbiddenBy, "the review-not-reviewer refusal is not in the ledger");
            await Task.Delay(50, Ct);
        }
        await OperatorTestData.AssertProblemAsync(await reviewer.PostAsJsonAsync(Decision(read), new { decision = "revoke" }, Ct), HttpStatusCode.BadRequest, "review-invalid");
        await OperatorTestData.AssertProblemAsync(await reviewer.PostAsJsonAsync(Decision(read), new { decision = "maybe", reason = "x" }, Ct), HttpStatusCode.BadRequest, "review-invalid");
        await OperatorTestData.AssertProblemAsync(await reviewer.PostAsJsonAsync($"/v1/reviews/{id}/items/9999/decision", new { decision = "certify", reason = "x" }, Ct), HttpStatusCode.NotFound, "review-not-found");
        await OperatorTestData.AssertProblemAsync(await reviewer.PostAsJsonAsync("/v1/reviews/rvw_nope/items/1/decision", new { decision = "certify", reason = "x" }, Ct), HttpStatusCode.NotFound, "review-not-found");

        Assert.True(await AllowedAsync(server, "read"));
        Assert.True(await AllowedAsync(server, "write"));
        var certified = await reviewer.PostAsJsonAsync(Decision(write), new { decision = "certify", reason = "billing posts invoices" }, Ct);
        Assert.Equal(HttpStatusCode.OK, certified.StatusCode);
        var revoked = await reviewer.PostAsJsonAsync(Decision(read), new { decision = "revoke", reason = "reads go through the ledger service now" }, Ct);
        var revokedBody = await revoked.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(revoked.StatusCode == HttpStatusCode.OK, revokedBody.GetRawText());
        Assert.Equal("revoked", revokedBody.GetProperty("decision").GetString());
        Assert.Equal("policy_version", revokedBody.GetProperty("enforcement").GetString());
        var version = revokedBody.GetProperty("policy_version").GetString()!;

        // At once, at the decision point: the read is denied, the certified write still allowed.
        Assert.False(await AllowedAsync(server, "read"));
        Assert.True(await AllowedAsync(server, "write"));
        var active = await auditor.GetFromJsonAsync<JsonElement>("/v1/policies", Ct);
        Assert.Equal(version, active.GetProperty("version").GetString());
        Assert.Contains(server.Services.GetRequiredService<Mandate.Core.Policies.PolicyService>().Active.Current.Bundle.Policies, f => f.Name == "reviews/" + id + ".cedar" && f.Text.Contains("@review_campaign", StringComparison.Ordinal));
        await OperatorTestData.AssertProblemAsync(await reviewer.PostAsJsonAsync(Decision(read), new { decision = "certify", reason = "changed my mind" }, Ct), HttpStatusCode.Conflict, "review-item-decided");

        // A later activation without the forbid (a directory reload, a push, the demo bundle at a start) gets it back.
        var policies = server.Services.GetRequiredService<Mandate.Core.Policies.PolicyService>();
        await policies.ActivateAsync(Mandate.Server.Policies.DemoPolicies.Read(), "demo", "system", Ct);
        var deadline = DateTimeOffset.UtcNow.AddSeconds(10);
        while (await AllowedAsync(server, "read") && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(50, Ct);
        }

        Assert.False(await AllowedAsync(server, "read"));
        Assert.True(await AllowedAsync(server, "write"));
        Assert.Equal("review:restore", policies.Active.Current.Origin);

        // Revoking the identity item suspends it.
        Assert.Equal(HttpStatusCode.OK, (await reviewer.PostAsJsonAsync(Decision(identityItem), new { decision = "revoke", reason = "retired" }, Ct)).StatusCode);
        var billing = await auditor.GetFromJsonAsync<JsonElement>("/v1/identities/demo.mandate.local/svc/billing", Ct);
        Assert.Equal("suspended", billing.GetProperty("status").GetString());

        var report = await auditor.GetFromJsonAsync<JsonElement>($"/v1/reviews/{id}/report", Ct);
        var completion = report.GetProperty("completion");
        Assert.Equal(3, completion.GetProperty("decided").GetInt32());
        Assert.Equal(2, completion.GetProperty("revoked").GetInt32());
        Assert.Equal(1, completion.GetProperty("certified").GetInt32());
        Assert.Equal(items.Count - 3, completion.GetProperty("pending").GetInt32());
        Assert.All(report.GetProperty("decisions").EnumerateArray(), d => Assert.Equal("operator:rs-rev", d.GetProperty("by").GetString()));
        Assert.Equal(items.Count - 3, report.GetProperty("pending").GetArrayLength());

        // The ledger names who did what.
        var startedEvent = Assert.Single(await OperatorTestData.EventsAsync(server, "review.started"), e => e.GetProperty("details").GetProperty("campaign").GetString() == id);
        Assert.Equal("operator:rs-sec", startedEvent.GetProperty("actor").GetString());
        var revokedEvents = (await OperatorTestData.EventsAsync(server, "review.item_revoked")).Where(e => e.GetProperty("details").GetProperty("campaign").GetString() == id).ToList();
        Assert.Equal(2, revokedEvents.Count);
        Assert.All(revokedEvents, e => Assert.Equal("operator:rs-rev", e.GetProperty("actor").GetString()));
        Assert.Contains(revokedEvents, e => e.GetProperty("details").GetProperty("policy_version").GetString() == version);
        Assert.Single(await OperatorTestData.EventsAsync(server, "review.item_certified"), e => e.GetProperty("details").GetProperty("campaign").GetString() == id);
        Assert.Contains(await OperatorTestData.EventsAsync(server, "policy.activated"), e => e.GetProperty("details").GetProperty("origin").GetString() == "review:" + id);

        // A later campaign no longer lists the revoked entitlement.
        var again = await (await security.PostAsJsonAsync("/v1/reviews", new { owner = "team:payments", reviewer = "rs-rev", due }, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        var later = (await auditor.GetFromJsonAsync<JsonElement>($"/v1/reviews/{again.GetProperty("id").GetString()}", Ct)).GetProperty("items").EnumerateArray().ToList();
        Assert.DoesNotContain(later, i => i.GetProperty("identity").GetString() == Billing && i.GetProperty("kind").GetString() == "entitlement" && i.GetProperty("action").GetString() == "Action::\"read\"");
        Assert.Contains(later, i => i.GetProperty("identity").GetString() == Billing && i.GetProperty("kind").GetString() == "entitlement" && i.GetProperty("action").GetString() == "Action::\"write\"");

        await ProblemAssert.ProblemAsync(await auditor.GetAsync(new Uri("/v1/reviews/rvw_missing", UriKind.Relative), Ct), HttpStatusCode.NotFound, "review-not-found");
        return id;
    }

    [Fact]
    public async Task RevokedEntitlement_ShouldBeLiftedBySecurity_ByANewPolicyVersion_OnSqlite()
    {
        await using var server = await MandateTestServer.StartAsync();
        await LiftScenarioAsync(server);
    }

    [Fact]
    public async Task RevokedEntitlement_ShouldBeLiftedBySecurity_ByANewPolicyVersion_OnPostgres()
    {
        var connection = await PostgresTestDatabase.CreateSchemaAsync();
        await using var server = await MandateTestServer.StartAsync(o => o.Store = MandateTestServer.PostgresLocation(connection));
        await LiftScenarioAsync(server);
    }

    private static async Task LiftScenarioAsync(MandateTestServer server)
    {
        using var security = (await OperatorTestData.AddWithTokenAsync(server, "lf-sec", "security")).Client;
        using var reviewer = (await OperatorTestData.AddWithTokenAsync(server, "lf-rev", "reviewer")).Client;
        using var auditor = (await OperatorTestData.AddWithTokenAsync(server, "lf-aud", "auditor")).Client;
        var started = await (await security.PostAsJsonAsync("/v1/reviews", new { owner = "team:payments", reviewer = "lf-rev", due = DateTimeOffset.UtcNow.AddDays(14) }, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        var id = started.GetProperty("id").GetString()!;
        var items = (await auditor.GetFromJsonAsync<JsonElement>($"/v1/reviews/{id}", Ct)).GetProperty("items").EnumerateArray().ToList();
        int Number(string kind, string? action) => items.Single(i => i.GetProperty("kind").GetString() == kind && i.GetProperty("identity").GetString() == Billing
            && (action is null || (i.GetProperty("action").GetString() == $"Action::\"{action}\"" && i.GetProperty("resource_type").GetString() == "Invoice"))).GetProperty("item").GetInt32();
        var read = Number("entitlement", "read");
        var write = Number("entitlement", "write");
        var identityItem = Number("identity", null);
        string Lift(int item) => $"/v1/reviews/{id}/items/{item}/lift";

        // Nothing to lift before a revocation.
        await OperatorTestData.AssertProblemAsync(await security.PostAsJsonAsync(Lift(read), new { reason = "x" }, Ct), HttpStatusCode.Conflict, "review-item-not-liftable");

        Assert.Equal(HttpStatusCode.OK, (await reviewer.PostAsJsonAsync($"/v1/reviews/{id}/items/{read}/decision", new { decision = "revoke", reason = "reads go through the ledger service" }, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reviewer.PostAsJsonAsync($"/v1/reviews/{id}/items/{write}/decision", new { decision = "certify", reason = "posts invoices" }, Ct)).StatusCode);
        var revoked = await reviewer.GetFromJsonAsync<JsonElement>($"/v1/reviews/{id}", Ct);
        var revokedVersion = revoked.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("item").GetInt32() == read).GetProperty("policy_version").GetString()!;
        Assert.False(await AllowedAsync(server, "read"));

        // Who may lift: security (or admin); not the reviewer, not an auditor; a reason is required.
        await OperatorTestData.AssertProblemAsync(await reviewer.PostAsJsonAsync(Lift(read), new { reason = "x" }, Ct), HttpStatusCode.Forbidden, "forbidden");
        await OperatorTestData.AssertProblemAsync(await auditor.PostAsJsonAsync(Lift(read), new { reason = "x" }, Ct), HttpStatusCode.Forbidden, "forbidden");
        await OperatorTestData.AssertProblemAsync(await security.PostAsJsonAsync(Lift(read), new { }, Ct), HttpStatusCode.BadRequest, "review-invalid");
        await OperatorTestData.AssertProblemAsync(await security.PostAsJsonAsync(Lift(write), new { reason = "x" }, Ct), HttpStatusCode.Conflict, "review-item-not-liftable");
        await OperatorTestData.AssertProblemAsync(await security.PostAsJsonAsync(Lift(identityItem), new { reason = "x" }, Ct), HttpStatusCode.Conflict, "review-item-not-liftable");
        await OperatorTestData.AssertProblemAsync(await security.PostAsJsonAsync(Lift(9999), new { reason = "x" }, Ct), HttpStatusCode.NotFound, "review-not-found");
        await OperatorTestData.AssertProblemAsync(await security.PostAsJsonAsync("/v1/reviews/rvw_nope/items/1/lift", new { reason = "x" }, Ct), HttpStatusCode.NotFound, "review-not-found");
        await OperatorTestData.AssertProblemAsync(await security.PostAsJsonAsync($"/v1/reviews/{id}/items/zero/lift", new { reason = "x" }, Ct), HttpStatusCode.BadRequest, "review-invalid");
        Assert.False(await AllowedAsync(server, "read"));

        var lifted = await security.PostAsJsonAsync(Lift(read), new { reason = "the ledger service was retired; billing reads invoices again" }, Ct);
        var liftedBody = await lifted.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(lifted.StatusCode == HttpStatusCode.OK, liftedBody.GetRawText());
        Assert.Equal("revoked", liftedBody.GetProperty("decision").GetString());
        var lift = liftedBody.GetProperty("lifted");
        Assert.Equal("operator:lf-sec", lift.GetProperty("by").GetString());
        var liftVersion = lift.GetProperty("policy_version").GetString()!;
        Assert.NotEqual(revokedVersion, liftVersion);

        // Access is back at once, by the new policy version, and stays back when the forbids are re-applied.
        Assert.True(await AllowedAsync(server, "read"));
        Assert.Equal(liftVersion, (await auditor.GetFromJsonAsync<JsonElement>("/v1/policies", Ct)).GetProperty("version").GetString());
        var policies = server.Services.GetRequiredService<Mandate.Core.Policies.PolicyService>();
        Assert.DoesNotContain(policies.Active.Current.Bundle.Policies, f => f.Name == "reviews/" + id + ".cedar");
        await policies.ActivateAsync(Mandate.Server.Policies.DemoPolicies.Read(), "demo", "system", Ct);
        Assert.Null(await server.Services.GetRequiredService<Mandate.Core.Governance.Reviews.ReviewService>().EnsureForbidsAsync("system", Ct));
        Assert.True(await AllowedAsync(server, "read"));
        await OperatorTestData.AssertProblemAsync(await security.PostAsJsonAsync(Lift(read), new { reason = "again" }, Ct), HttpStatusCode.Conflict, "review-item-not-liftable");

        // The ledger says who gave it back, why, and in which version; the identity's timeline shows it.
        var liftEvent = Assert.Single(await OperatorTestData.EventsAsync(server, "review.item_lifted"));
        Assert.Equal("operator:lf-sec", liftEvent.GetProperty("actor").GetString());
        Assert.Equal(Billing, liftEvent.GetProperty("subject").GetString());
        Assert.Equal(liftVersion, liftEvent.GetProperty("details").GetProperty("policy_version").GetString());
        Assert.Equal(revokedVersion, liftEvent.GetProperty("details").GetProperty("revoked_policy_version").GetString());
        Assert.Equal("operator:lf-rev", liftEvent.GetProperty("details").GetProperty("revoked_by").GetString());
        Assert.Equal(lift.GetProperty("ledger_seq").GetInt64(), liftEvent.GetProperty("seq").GetInt64());
        var timeline = await auditor.GetFromJsonAsync<JsonElement>("/v1/identities/" + Uri.EscapeDataString(Billing) + "/timeline", Ct);
        Assert.Contains("review.item_lifted", timeline.GetRawText(), StringComparison.Ordinal);
        var report = await auditor.GetFromJsonAsync<JsonElement>($"/v1/reviews/{id}/report", Ct);
        var decision = report.GetProperty("decisions").EnumerateArray().Single(d => d.GetProperty("item").GetInt32() == read);
        Assert.Equal("operator:lf-sec", decision.GetProperty("lifted").GetProperty("by").GetString());

        // A later campaign lists the entitlement again.
        var again = await (await security.PostAsJsonAsync("/v1/reviews", new { owner = "team:payments", reviewer = "lf-rev", due = DateTimeOffset.UtcNow.AddDays(14) }, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        var later = (await auditor.GetFromJsonAsync<JsonElement>($"/v1/reviews/{again.GetProperty("id").GetString()}", Ct)).GetProperty("items").EnumerateArray();
        Assert.Contains(later, i => i.GetProperty("identity").GetString() == Billing && i.GetProperty("kind").GetString() == "entitlement" && i.GetProperty("action").GetString() == "Action::\"read\"");
    }

    private static async Task<List<JsonElement>> ListAsync(HttpClient client, string query) =>
        [.. (await client.GetFromJsonAsync<JsonElement>("/v1/reviews" + query, Ct)).GetProperty("reviews").EnumerateArray()];

    private static async Task<bool> AllowedAsync(MandateTestServer server, string action)
    {
        var response = await server.Client.PostAsJsonAsync(
            "/access/v1/evaluation",
            new { subject = new { type = "Workload", id = Billing }, action = new { name = action }, resource = new { type = "Invoice", id = "INV-2026-001" } },
            Ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.GetRawText());
        return body.GetProperty("decision").GetBoolean();
    }
}
