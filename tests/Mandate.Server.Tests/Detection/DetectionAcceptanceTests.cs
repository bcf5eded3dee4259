using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mandate.Core.Detection;
using Mandate.Core.Identity;
using Mandate.Core.Identity.Keys;
using Mandate.Core.Identity.Svid;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Detection;

/// <summary>
/// End to end on the demo estate over real HTTP: the support assistant opens a task, makes a burst of requests outside
/// it, and the engine raises <c>beyond_task_scope</c>; its risk goes high, so its NEXT decision, even inside its task,
/// is denied by the demo's <c>forbid-high-risk</c> policy, whatever risk the enforcement point claims; the alert is on
/// the server-sent event stream; an operator clears the risk and the task works again.
/// </summary>
public sealed class DetectionAcceptanceTests
{
    private const string Assistant = "spiffe://demo.mandate.local/agent/support-assistant";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OutOfTaskBurst_ShouldRaiseTheAlert_AndDenyTheNextDecisionForRisk_UntilAnOperatorClearsIt()
    {
        await using var server = await MandateTestServer.StartAsync();
        using var admin = server.CreateAdminClient();
        var issuer = server.Services.GetRequiredService<IKeyRing>().Issuer;
        var svid = server.Services.GetRequiredService<JwtSvidIssuer>().Issue(SpiffeId.Parse(Assistant), [issuer], TimeSpan.FromMinutes(30)).Token;
        using var agent = new HttpClient { BaseAddress = server.Address };
        agent.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", svid);
        string token;
        using (var opened = await agent.PostAsJsonAsync("/v1/tasks", new
        {
            intent = new { description = "answer ticket T-1001", actions = new[] { "read" }, resources = new[] { "Ticket::\"T-1001\"" }, sensitivity_ceiling = "medium" },
            ttl_seconds = 600,
        }, Ct))
        {
            var text = await opened.Content.ReadAsStringAsync(Ct);
            Assert.True(opened.IsSuccessStatusCode, text);
            token = JsonDocument.Parse(text).RootElement.GetProperty("credential").GetProperty("access_token").GetString()!;
        }

        using var stream = await OpenStreamAsync(server, null);
        var (allowed, _) = await DecideAsync(admin, "Ticket", "T-1001", token);
        Assert.True(allowed);

        for (var i = 0; i < 10; i++)
        {
            var (inside, body) = await DecideAsync(admin, "Dataset", "dataset-" + i, token);
            Assert.False(inside, body.ToString());
        }

        var alert = await NextAlertAsync(stream, Ct);
        Assert.Equal("beyond_task_scope", alert.Data.GetProperty("rule").GetString());
        Assert.Equal(Assistant, alert.Data.GetProperty("identity").GetString());
        Assert.Equal("high", alert.Data.GetProperty("response").GetProperty("risk").GetProperty("level").GetString());
        Assert.Equal(10, alert.Data.GetProperty("evidence").GetArrayLength());

        using (var listed = await admin.GetAsync("/v1/alerts?rule=beyond_task_scope&identity=" + Uri.EscapeDataString(Assistant), Ct))
        {
            var alerts = JsonDocument.Parse(await listed.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("alerts");
            var only = Assert.Single(alerts.EnumerateArray());
            Assert.Equal(alert.Data.GetProperty("id").GetString(), only.GetProperty("id").GetString());
            foreach (var member in new[] { "id", "rule", "severity", "identity", "time", "summary", "evidence", "response" })
            {
                Assert.True(only.TryGetProperty(member, out _), member);
            }
        }

        // The next decision, inside the task, is denied for risk; a PEP claiming low risk changes nothing.
        var (next, reasons) = await DecideAsync(admin, "Ticket", "T-1001", token, new { score = 0, level = "low" });
        Assert.False(next);
        Assert.Contains("forbid-high-risk", reasons.ToString(), StringComparison.Ordinal);

        // Resuming the stream after the alert gives nothing older than Last-Event-ID.
        using (var resumed = await OpenStreamAsync(server, alert.Id))
        {
            using var quiet = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            quiet.CancelAfter(TimeSpan.FromMilliseconds(500));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => NextAlertAsync(resumed, quiet.Token));
        }

        using (var cleared = await admin.PostAsync("/v1/risk/" + Uri.EscapeDataString(Assistant) + "/clear", null, Ct))
        {
            Assert.True(cleared.IsSuccessStatusCode, await cleared.Content.ReadAsStringAsync(Ct));
        }

        Assert.True((await DecideAsync(admin, "Ticket", "T-1001", token)).Decision);
    }

    [Fact]
    public async Task CallerSuppliedRisk_ShouldBeIgnored_WhenStoredRiskIsLow()
    {
        await using var server = await MandateTestServer.StartAsync();
        using var admin = server.CreateAdminClient();
        using var content = new StringContent("""
            {"subject":{"type":"Workload","id":"spiffe://demo.mandate.local/svc/billing"},"action":{"name":"read"},
             "resource":{"type":"Invoice","id":"INV-2026-001"},"context":{"risk":{"score":100,"level":"critical"}}}
            """, Encoding.UTF8, "application/json");
        using var response = await admin.PostAsync("/access/v1/evaluation", content, Ct);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.True(body.GetProperty("decision").GetBoolean());
        Assert.Equal(0, server.Services.GetRequiredService<RiskService>().Current("spiffe://demo.mandate.local/svc/billing").Score);
    }

    private static async Task<(bool Decision, JsonElement Body)> DecideAsync(HttpClient pep, string type, string id, string credential, object? claimedRisk = null)
    {
        var context = new Dictionary<string, object> { ["credential"] = credential };
        if (claimedRisk is not null)
        {
            context["risk"] = claimedRisk;
        }

        using var response = await pep.PostAsJsonAsync("/access/v1/evaluation", new
        {
            subject = new { type = "Workload", id = Assistant },
            action = new { name = "read" },
            resource = new { type, id },
            context,
        }, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, text);
        var body = JsonDocument.Parse(text).RootElement.Clone();
        return (body.GetProperty("decision").GetBoolean(), body);
    }

    private static async Task<StreamReader> OpenStreamAsync(MandateTestServer server, string? lastEventId)
    {
        var client = new HttpClient { BaseAddress = server.Address, Timeout = Timeout.InfiniteTimeSpan };
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/alerts/stream");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", server.AdminToken);
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
    }

    private static async Task<(string Id, JsonElement Data)> NextAlertAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(TimeSpan.FromSeconds(20));
        string? id = null;
        while (await reader.ReadLineAsync(bounded.Token) is { } line)
        {
            if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = line[4..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && id is not null)
            {
                return (id, JsonDocument.Parse(line[6..]).RootElement.Clone());
            }
        }

        throw new InvalidOperationException("The alert stream ended.");
    }
}
