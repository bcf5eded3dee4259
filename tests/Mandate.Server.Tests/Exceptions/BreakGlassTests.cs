using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mandate.Server.Tests.Operators;
using static Mandate.Server.Tests.Exceptions.ExceptionHttp;

namespace Mandate.Server.Tests.Exceptions;

/// <summary>Break-glass over real HTTP: self-approved by security, capped at an hour, alerted at once, reviewed afterwards; and no grant overrides a forbid.</summary>
public sealed class BreakGlassTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task BreakGlass_ShouldActivateAtOnce_AlertCritical_AndOpenAReview_WithinTheHourCap()
    {
        await using var server = await StartAsync();
        using var admin = server.CreateAdminClient();
        var (carol, _, _) = await OperatorTestData.AddWithTokenAsync(server, "carol", "security");
        var (bob, _, _) = await OperatorTestData.AddWithTokenAsync(server, "bob", "approver", "reviewer");
        await using var receiver = await Infrastructure.LoopbackReceiver.StartAsync();
        using (var hook = await admin.PostAsJsonAsync("/v1/webhooks", new { url = new Uri(receiver.Address, "hooks/alerts").ToString(), events = new[] { "alert.raised" } }, Ct))
        {
            Assert.Equal(HttpStatusCode.Created, hook.StatusCode);
        }

        using (carol)
        using (bob)
        {
            var request = new { identity = Billing, action = "read", resource = "Ticket::\"T-1001\"", reason = "SEV1: invoices stuck, billing must read the ticket" };
            var (byApprover, _) = await PostAsync(bob, "/v1/breakglass", request);
            await OperatorTestData.AssertProblemAsync(byApprover, HttpStatusCode.Forbidden, "forbidden");
            var (tooLong, _) = await PostAsync(carol, "/v1/breakglass", new { request.identity, request.action, request.resource, request.reason, ttl_seconds = 3601 });
            await OperatorTestData.AssertProblemAsync(tooLong, HttpStatusCode.BadRequest, "exception-invalid");
            Assert.False((await DecideAsync(admin)).Decision);

            var (activated, grant) = await PostAsync(carol, "/v1/breakglass", request);
            Assert.True(activated.StatusCode == HttpStatusCode.Created, grant.ToString());
            var id = grant.GetProperty("id").GetString()!;
            Assert.StartsWith("brk_", id, StringComparison.Ordinal);
            Assert.Equal(("breakglass", "active", "operator:carol", 3600L), (grant.GetProperty("kind").GetString(), grant.GetProperty("status").GetString(), grant.GetProperty("decided_by").GetString(), grant.GetProperty("ttl_seconds").GetInt64()));

            // The alert is there as the call returns, not when detection gets to it.
            var alert = Assert.Single(await AlertsAsync(admin, "breakglass"));
            Assert.Equal(("critical", Billing), (alert.GetProperty("severity").GetString(), alert.GetProperty("identity").GetString()));
            Assert.Contains(id, alert.GetProperty("summary").GetString(), StringComparison.Ordinal);
            Assert.Contains(await OperatorTestData.EventsAsync(server, "detection.alert"), e => e.GetProperty("details").GetProperty("rule").GetString() == "breakglass");
            Assert.Single(await OperatorTestData.EventsAsync(server, "breakglass.activated"));
            var delivered = JsonDocument.Parse((await receiver.NextAsync(TimeSpan.FromSeconds(10))).Body).RootElement;
            Assert.Equal(("alert.raised", "breakglass", "critical"), (delivered.GetProperty("type").GetString(), delivered.GetProperty("data").GetProperty("rule").GetString(), delivered.GetProperty("data").GetProperty("severity").GetString()));

            // The mandatory review: one breakglass item, decided by someone other than carol.
            var reviews = await admin.GetFromJsonAsync<JsonElement>("/v1/reviews", Ct);
            var review = Assert.Single(reviews.GetProperty("reviews").EnumerateArray(), r => r.GetProperty("origin").GetString() == "breakglass:" + id);
            var reviewId = review.GetProperty("id").GetString()!;
            var detail = await admin.GetFromJsonAsync<JsonElement>("/v1/reviews/" + reviewId, Ct);
            var item = Assert.Single(detail.GetProperty("items").EnumerateArray());
            Assert.Equal(("breakglass", Billing), (item.GetProperty("kind").GetString(), item.GetProperty("identity").GetString()));

            var (allowed, _) = await DecideAsync(admin);
            Assert.True(allowed);
            var marked = Assert.Single(await DecisionEventsAsync(server), e => e.GetProperty("details").TryGetProperty("exception_id", out _));
            Assert.Equal((id, "breakglass"), (marked.GetProperty("details").GetProperty("exception_id").GetString(), marked.GetProperty("details").GetProperty("exception_kind").GetString()));

            // Never approved like an exception; ended like one.
            var (approve, _) = await PostAsync(bob, $"/v1/exceptions/{id}/approve", new { });
            await OperatorTestData.AssertProblemAsync(approve, HttpStatusCode.Conflict, "exception-conflict");
            var (certified, certifiedBody) = await PostAsync(bob, $"/v1/reviews/{reviewId}/items/1/decision", new { decision = "certify", reason = "SEV1 confirmed" });
            Assert.True(certified.IsSuccessStatusCode, certifiedBody.ToString());
            var (revoked, _) = await PostAsync(carol, $"/v1/exceptions/{id}/revoke", new { reason = "SEV1 resolved" });
            Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
            Assert.False((await DecideAsync(admin)).Decision);
        }
    }

    [Fact]
    public async Task Grant_ShouldNotOverrideAForbid()
    {
        await using var server = await StartAsync();
        using var admin = server.CreateAdminClient();
        var (carol, _, _) = await OperatorTestData.AddWithTokenAsync(server, "carol", "security");
        using (carol)
        {
            var (activated, grant) = await PostAsync(carol, "/v1/breakglass", new { identity = Billing, action = "write", resource = "Ticket::\"T-1001\"", reason = "SEV1", ttl_seconds = 600 });
            Assert.True(activated.StatusCode == HttpStatusCode.Created, grant.ToString());
            Assert.True((await DecideAsync(admin, action: "write")).Decision);

            // forbid-cross-domain-write holds: the grant does not lift it.
            var (allowed, body) = await DecideAsync(admin, action: "write", context: new { destination = "spiffe://elsewhere.example/sink" });
            Assert.False(allowed, body.ToString());
        }
    }
}
