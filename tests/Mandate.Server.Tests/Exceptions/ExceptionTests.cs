using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mandate.Server.Tests.Operators;
using static Mandate.Server.Tests.Exceptions.ExceptionHttp;

namespace Mandate.Server.Tests.Exceptions;

/// <summary>Exceptions over real HTTP on the SQLite store: four eyes, the permit, the ledger marker, revocation, expiry, refusals.</summary>
public sealed class ExceptionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ApprovedException_ShouldPermitAndMarkTheDecision_UntilRevoked_AndTheRequesterCannotApproveIt()
    {
        await using var server = await StartAsync();
        using var admin = server.CreateAdminClient();
        var (alice, _, _) = await OperatorTestData.AddWithTokenAsync(server, "alice", "security", "approver");
        var (bob, _, _) = await OperatorTestData.AddWithTokenAsync(server, "bob", "approver");
        var (aud, _, _) = await OperatorTestData.AddWithTokenAsync(server, "audrey", "auditor");
        using (alice)
        using (bob)
        using (aud)
        {
            Assert.False((await DecideAsync(admin)).Decision);

            // An auditor may read but not request; the approver role alone does not request either.
            var (byAuditor, _) = await PostAsync(aud, "/v1/exceptions", new { identity = Billing, action = "read", resource = "Ticket::\"T-1001\"", ttl_seconds = 600, reason = "x" });
            await OperatorTestData.AssertProblemAsync(byAuditor, HttpStatusCode.Forbidden, "forbidden");

            var id = await RequestAsync(alice);
            var pending = await GetAsync(aud, id);
            Assert.Equal(("workload", "team:payments", "operator:alice"), (pending.GetProperty("identity_kind").GetString(), pending.GetProperty("identity_owner").GetString(), pending.GetProperty("requested_by").GetString()));
            Assert.False((await DecideAsync(admin)).Decision);

            // Four eyes: alice holds approver but asked herself.
            var (self, _) = await PostAsync(alice, $"/v1/exceptions/{id}/approve", new { });
            await OperatorTestData.AssertProblemAsync(self, HttpStatusCode.Forbidden, "separation-of-duties");
            var (byAuditorApprove, _) = await PostAsync(aud, $"/v1/exceptions/{id}/approve", new { });
            await OperatorTestData.AssertProblemAsync(byAuditorApprove, HttpStatusCode.Forbidden, "forbidden");
            Assert.False((await DecideAsync(admin)).Decision);

            var (approved, body) = await PostAsync(bob, $"/v1/exceptions/{id}/approve", new { });
            Assert.True(approved.StatusCode == HttpStatusCode.OK, body.ToString());
            Assert.Equal(("active", "operator:bob"), (body.GetProperty("status").GetString(), body.GetProperty("decided_by").GetString()));
            var policy = body.GetProperty("policy").GetString()!;
            Assert.StartsWith($"@exception(\"{id}\")\n@expires(\"", policy, StringComparison.Ordinal);
            Assert.Contains("permit (principal == Workload::\"spiffe://demo.mandate.local/svc/billing\", action == Action::\"read\", resource == Ticket::\"T-1001\");", policy, StringComparison.Ordinal);

            // Approving again is a conflict.
            var (again, _) = await PostAsync(bob, $"/v1/exceptions/{id}/approve", new { });
            await OperatorTestData.AssertProblemAsync(again, HttpStatusCode.Conflict, "exception-conflict");

            var (allowed, decision) = await DecideAsync(admin);
            Assert.True(allowed, decision.ToString());

            // Only that action on that resource.
            Assert.False((await DecideAsync(admin, action: "write")).Decision);
            Assert.False((await DecideAsync(admin, id: "T-1002")).Decision);

            var marked = (await DecisionEventsAsync(server)).Where(e => e.GetProperty("details").TryGetProperty("exception_id", out _)).ToList();
            var single = Assert.Single(marked);
            Assert.Equal(("allow", id, "exception"), (single.GetProperty("decision").GetString(), single.GetProperty("details").GetProperty("exception_id").GetString(), single.GetProperty("details").GetProperty("exception_kind").GetString()));

            await EventuallyAsync(async () => (await AlertsAsync(admin, "exception_use")).Any(a => a.GetProperty("summary").GetString()!.Contains(id, StringComparison.Ordinal)), "no exception_use alert");

            // Revoking needs security or approver: an auditor is refused.
            var (byAuditorRevoke, _) = await PostAsync(aud, $"/v1/exceptions/{id}/revoke", new { reason = "no" });
            await OperatorTestData.AssertProblemAsync(byAuditorRevoke, HttpStatusCode.Forbidden, "forbidden");

            // Revoked: denied again at once.
            var (revoked, revokedBody) = await PostAsync(alice, $"/v1/exceptions/{id}/revoke", new { reason = "INC-42 closed" });
            Assert.True(revoked.StatusCode == HttpStatusCode.OK, revokedBody.ToString());
            Assert.Equal("revoked", revokedBody.GetProperty("status").GetString());
            Assert.False((await DecideAsync(admin)).Decision);
            var (revokeAgain, _) = await PostAsync(alice, $"/v1/exceptions/{id}/revoke", new { reason = "twice" });
            await OperatorTestData.AssertProblemAsync(revokeAgain, HttpStatusCode.Conflict, "exception-conflict");

            var types = (await OperatorTestData.LedgerAsync(server)).Select(j => JsonDocument.Parse(j).RootElement.GetProperty("type").GetString()).Where(t => t!.StartsWith("exception.", StringComparison.Ordinal)).ToList();
            Assert.Equal(["exception.requested", "exception.approved", "exception.revoked"], types);

            var listed = await aud.GetFromJsonAsync<JsonElement>("/v1/exceptions?status=revoked&identity=" + Uri.EscapeDataString(Billing), Ct);
            Assert.Equal(id, Assert.Single(listed.GetProperty("exceptions").EnumerateArray()).GetProperty("id").GetString());
        }
    }

    [Fact]
    public async Task Requests_ShouldBeRefused_WhenTtlIdentityOrEntitiesAreWrong_IncludingCedarInjection()
    {
        await using var server = await StartAsync();
        using var admin = server.CreateAdminClient();
        async Task ExpectAsync(object body, HttpStatusCode status, string code)
        {
            var (response, _) = await PostAsync(admin, "/v1/exceptions", body);
            await OperatorTestData.AssertProblemAsync(response, status, code);
            response.Dispose();
        }

        await ExpectAsync(new { identity = Billing, action = "read", resource = "Ticket::\"T-1001\"", ttl_seconds = 25 * 3600, reason = "too long" }, HttpStatusCode.BadRequest, "exception-invalid");
        await ExpectAsync(new { identity = Billing, action = "read", resource = "Ticket::\"T-1001\"", ttl_seconds = 600 }, HttpStatusCode.BadRequest, "exception-invalid");
        await ExpectAsync(new { identity = "spiffe://demo.mandate.local/svc/nobody", action = "read", resource = "Ticket::\"T-1001\"", ttl_seconds = 600, reason = "r" }, HttpStatusCode.NotFound, "exception-identity-unknown");

        // A suspended identity could never use a grant: refused.
        const string Pipeline = "spiffe://demo.mandate.local/ci/github/deploy-pipeline";
        using (var suspended = await admin.PostAsJsonAsync("/v1/identities/suspend", new { spiffe_id = Pipeline, reason = "test" }, Ct))
        {
            Assert.True(suspended.IsSuccessStatusCode, await suspended.Content.ReadAsStringAsync(Ct));
        }

        await ExpectAsync(new { identity = Pipeline, action = "deploy", resource = "Environment::\"production\"", ttl_seconds = 600, reason = "r" }, HttpStatusCode.BadRequest, "exception-invalid");

        // Attempts to smuggle Cedar through each field: a second policy, a widened scope, a condition.
        string[] resources =
        [
            "Ticket::\"T-1001\"); permit(principal, action, resource",
            "Ticket::\"T-1001\") when { true }; permit (principal, action, resource) when { true",
            "Ticket",
            "Ticket::\"T-1001\" || true",
            "principal",
        ];
        foreach (var resource in resources)
        {
            await ExpectAsync(new { identity = Billing, action = "read", resource, ttl_seconds = 600, reason = "r" }, HttpStatusCode.BadRequest, "exception-invalid");
        }

        await ExpectAsync(new { identity = Billing, action = "Action::\"read\", resource); permit(principal, action == Action::\"x\"", resource = "Ticket::\"T-1001\"", ttl_seconds = 600, reason = "r" }, HttpStatusCode.BadRequest, "exception-invalid");
        await ExpectAsync(new { identity = Billing, action = "Ticket::\"T-1001\"", resource = "Ticket::\"T-1001\"", ttl_seconds = 600, reason = "r" }, HttpStatusCode.BadRequest, "exception-invalid");
        await ExpectAsync(new { identity = Billing + "\", action, resource); permit(principal, action, resource", action = "read", resource = "Ticket::\"T-1001\"", ttl_seconds = 600, reason = "r" }, HttpStatusCode.NotFound, "exception-identity-unknown");

        // A plain action name that is not an identifier is a name, escaped: it grants that action and nothing else.
        var (odd, oddBody) = await PostAsync(admin, "/v1/exceptions", new { identity = Billing, action = "read\"); permit(principal, action, resource", resource = "Ticket::\"T-\\\"1\"", ttl_seconds = 600, reason = "r" });
        Assert.True(odd.StatusCode == HttpStatusCode.Created, oddBody.ToString());
        var (bob, _, _) = await OperatorTestData.AddWithTokenAsync(server, "bob", "approver");
        using (bob)
        {
            var (approved, body) = await PostAsync(bob, $"/v1/exceptions/{oddBody.GetProperty("id").GetString()}/approve", new { });
            Assert.True(approved.StatusCode == HttpStatusCode.OK, body.ToString());
            Assert.Contains("action == Action::\"read\\\"); permit(principal, action, resource\", resource == Ticket::\"T-\\\"1\");", body.GetProperty("policy").GetString(), StringComparison.Ordinal);
        }

        Assert.False((await DecideAsync(admin)).Decision);
        Assert.False((await DecideAsync(admin, action: "write", id: "T-\"1")).Decision);

        using var missing = await admin.GetAsync(new Uri("/v1/exceptions/exc_00000000000000000000", UriKind.Relative), Ct);
        await OperatorTestData.AssertProblemAsync(missing, HttpStatusCode.NotFound, "exception-not-found");
    }

    [Fact]
    public async Task Grants_ShouldExpireWithoutTraffic_AndAPendingRequestShouldLapse()
    {
        await using var server = await StartAsync(FastExpiry());
        using var admin = server.CreateAdminClient();
        var (alice, _, _) = await OperatorTestData.AddWithTokenAsync(server, "alice", "security");
        var (bob, _, _) = await OperatorTestData.AddWithTokenAsync(server, "bob", "approver");
        using (alice)
        using (bob)
        {
            var id = await RequestAsync(alice, ttlSeconds: 1);
            var lapsing = await RequestAsync(alice, ttlSeconds: 1);
            var (approved, body) = await PostAsync(bob, $"/v1/exceptions/{id}/approve", new { });
            Assert.True(approved.StatusCode == HttpStatusCode.OK, body.ToString());

            // No decision is asked for: the sweeper alone ends it.
            await EventuallyAsync(async () => (await GetAsync(admin, id)).GetProperty("status").GetString() == "expired", "the grant was not expired by the sweeper");
            await EventuallyAsync(async () => (await GetAsync(admin, lapsing)).GetProperty("status").GetString() == "expired", "the pending request did not lapse");
            var ended = await GetAsync(admin, id);
            Assert.Equal("system", ended.GetProperty("ended_by").GetString());
            var expired = await OperatorTestData.EventsAsync(server, "exception.expired");
            Assert.Equal(2, expired.Count);
            Assert.Contains(expired, e => e.GetProperty("details").GetProperty("exception_id").GetString() == id && e.GetProperty("details").GetProperty("previous_status").GetString() == "active");
            Assert.False((await DecideAsync(admin)).Decision);

            var (late, _) = await PostAsync(bob, $"/v1/exceptions/{lapsing}/approve", new { });
            await OperatorTestData.AssertProblemAsync(late, HttpStatusCode.Conflict, "exception-conflict");
        }
    }

    [Fact]
    public async Task ExpiredGrant_ShouldNeverPermit_BeforeTheSweeperRuns_AndAGrantedAllowIsNeverSampledOut()
    {
        var settings = FastExpiry(sweep: "00:05:00");
        settings["Mandate:Decisions:AuditAllowSampleRate"] = "0";
        await using var server = await StartAsync(settings);
        using var admin = server.CreateAdminClient();
        var (bob, _, _) = await OperatorTestData.AddWithTokenAsync(server, "bob", "approver");
        using (bob)
        {
            var id = await RequestAsync(admin, ttlSeconds: 1);
            var (approved, body) = await PostAsync(bob, $"/v1/exceptions/{id}/approve", new { });
            Assert.True(approved.StatusCode == HttpStatusCode.OK, body.ToString());
            Assert.True((await DecideAsync(admin)).Decision);
            Assert.True((await DecideAsync(admin, type: "Invoice", id: "INV-2026-001")).Decision);

            // Allows are sampled out here (rate 0), but not the one the grant gave.
            var allows = (await DecisionEventsAsync(server)).Where(e => e.GetProperty("decision").GetString() == "allow").ToList();
            Assert.Equal(id, Assert.Single(allows).GetProperty("details").GetProperty("exception_id").GetString());
            await Task.Delay(TimeSpan.FromSeconds(1.1), Ct);
            Assert.False((await DecideAsync(admin)).Decision);
            Assert.Equal("active", (await GetAsync(admin, id)).GetProperty("status").GetString());
        }
    }
}
