using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mandate.Server.Tests.Tasks;

namespace Mandate.Server.Tests.Detection;

/// <summary>One server whose rules are configured with each response kind.</summary>
public sealed class DetectionResponseFixture : IAsyncLifetime
{
    internal TaskEstate Estate { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Estate = await DetectionEstate.StartAsync(new Dictionary<string, string>
    {
        ["Rules:credential_reuse:Responses"] = "suspend_identity",
        ["Rules:beyond_task_scope:Threshold"] = "2",
        ["Rules:beyond_task_scope:Responses"] = "revoke_task",
        ["Rules:privilege_escalation_attempt:Responses"] = "raise_risk,revoke_credentials",
        ["Rules:deny_burst:Threshold"] = "3",
        ["Rules:deny_burst:Responses"] = "alert",
        ["Rules:suspended_identity_use:Responses"] = "raise_risk",
        ["Rules:suspended_identity_use:Risk"] = "15",
    });

    public async ValueTask DisposeAsync() => await Estate.DisposeAsync();
}

/// <summary>
/// Each response kind through the services an operator would use, with an immediate effect on the next request, and
/// a <c>detection.response</c> ledger event naming the alert.
/// </summary>
public sealed class DetectionResponseTests(DetectionResponseFixture fixture) : IClassFixture<DetectionResponseFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private TaskEstate Estate => fixture.Estate;

    [Fact]
    public async Task SuspendIdentity_ShouldSuspend_SoTheIdentitysSvidNoLongerAuthenticates()
    {
        var agent = await Estate.NewIdentityAsync("respond-suspend");
        var (_, token, jti) = await Estate.TaskForAsync(agent);
        await Estate.RevokeAsync(jti);
        await Estate.DecideAsync(agent, "read", "Ticket", "T-1", token);
        var alert = await Estate.SingleAlertAsync("credential_reuse", agent);
        var response = await DoneAsync(alert);
        Assert.Contains("identity suspended", response.GetProperty("outcomes").EnumerateArray().Select(o => o.GetString()));
        using var identity = await Estate.Admin.GetAsync("/v1/identities/" + agent["spiffe://".Length..], Ct);
        Assert.Contains("\"suspended\"", await identity.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        using var client = Estate.As(agent);
        using var refused = await client.PostAsJsonAsync("/v1/svid/jwt", new { audiences = new[] { TaskEstate.Outsider } }, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        await AssertResponseRecordedAsync(alert, "suspend_identity");
    }

    [Fact]
    public async Task RevokeTask_ShouldRevokeTheTaskNamedByTheEvidence_SoItsCredentialStopsWorking()
    {
        var agent = await Estate.NewIdentityAsync("respond-task");
        var (taskId, token, _) = await Estate.TaskForAsync(agent);
        Assert.True((await Estate.DecideAsync(agent, "read", "Ticket", "T-1", token)).Decision);
        await Estate.DecideAsync(agent, "read", "Dataset", "ds-1", token);
        await Estate.DecideAsync(agent, "read", "Dataset", "ds-2", token);
        var alert = await Estate.SingleAlertAsync("beyond_task_scope", agent);
        var response = await DoneAsync(alert);
        Assert.Contains(response.GetProperty("outcomes").EnumerateArray(), o => o.GetString()!.StartsWith($"task {taskId} revoked", StringComparison.Ordinal));
        Assert.False((await Estate.DecideAsync(agent, "read", "Ticket", "T-1", token)).Decision);
        Assert.False((await Estate.IntrospectAsync(token)).GetProperty("active").GetBoolean());
        await AssertResponseRecordedAsync(alert, "revoke_task");
    }

    [Fact]
    public async Task RevokeCredentials_ShouldRevokeEveryCredentialOfTheIdentity_AndRaiseRisk()
    {
        var agent = await Estate.NewIdentityAsync("respond-creds");
        var (_, first, _) = await Estate.TaskForAsync(agent);
        var (_, second, _) = await Estate.TaskForAsync(agent);
        using var client = Estate.As(agent);
        using (var refused = await client.PostAsJsonAsync("/v1/tasks", new { intent = TaskEstate.Intent(ceiling: "restricted"), ttl_seconds = 300 }, Ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        var alert = await Estate.SingleAlertAsync("privilege_escalation_attempt", agent);
        var response = await DoneAsync(alert);
        Assert.Equal(30, response.GetProperty("risk").GetProperty("score").GetInt64());
        Assert.Contains(response.GetProperty("outcomes").EnumerateArray(), o => o.GetString() == "2 credentials of the identity revoked");
        Assert.False((await Estate.IntrospectAsync(first)).GetProperty("active").GetBoolean());
        Assert.False((await Estate.IntrospectAsync(second)).GetProperty("active").GetBoolean());
        await AssertResponseRecordedAsync(alert, "revoke_credentials");
    }

    [Fact]
    public async Task AlertOnly_ShouldChangeNothing()
    {
        var agent = await Estate.NewIdentityAsync("respond-alert");
        var (_, token, _) = await Estate.TaskForAsync(agent);
        for (var i = 0; i < 3; i++)
        {
            await Estate.DecideAsync(agent, "delete", "Invoice", "INV-" + i);
        }

        var alert = await Estate.SingleAlertAsync("deny_burst", agent);
        var response = alert.GetProperty("response");
        Assert.Equal(["alert"], response.GetProperty("actions").EnumerateArray().Select(a => a.GetString()));
        Assert.False(response.TryGetProperty("risk", out _));
        Assert.Equal("done", response.GetProperty("state").GetString());
        Assert.True((await Estate.DecideAsync(agent, "read", "Ticket", "T-1", token)).Decision);
        Assert.Equal(0, await RiskScoreAsync(agent));
    }

    [Fact]
    public async Task RaiseRisk_ShouldRaiseTheIdentitysRisk_AndAnOperatorCanClearIt()
    {
        var agent = await Estate.NewIdentityAsync("respond-risk");
        using (var suspend = await Estate.Admin.PostAsJsonAsync("/v1/identities/suspend", new { spiffe_id = agent, reason = "test" }, Ct))
        {
            Assert.True(suspend.IsSuccessStatusCode);
        }

        await Estate.DecideAsync(agent, "read", "Ticket", "T-1");
        var alert = await Estate.SingleAlertAsync("suspended_identity_use", agent);
        Assert.Equal(15, alert.GetProperty("response").GetProperty("risk").GetProperty("score").GetInt64());
        Assert.Equal(15, await RiskScoreAsync(agent));
        using (var cleared = await Estate.Admin.PostAsJsonAsync("/v1/risk/" + Uri.EscapeDataString(agent) + "/clear", new { reason = "investigated" }, Ct))
        {
            var body = JsonDocument.Parse(await cleared.Content.ReadAsStringAsync(Ct)).RootElement;
            Assert.Equal(0, body.GetProperty("score").GetInt64());
            Assert.Equal(15, body.GetProperty("previous").GetProperty("score").GetInt64());
        }

        Assert.Equal(0, await RiskScoreAsync(agent));
        var recorded = (await Estate.AuditAsync("risk.cleared")).Single(e => e.GetProperty("subject").GetString() == agent);
        Assert.Equal("investigated", recorded.GetProperty("reason").GetString());
    }

    private async Task<long> RiskScoreAsync(string identity)
    {
        using var response = await Estate.Admin.GetAsync("/v1/risk/" + Uri.EscapeDataString(identity), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("score").GetInt64();
    }

    /// <summary>The alert's response once its lifecycle actions have run.</summary>
    private async Task<JsonElement> DoneAsync(JsonElement alert)
    {
        var id = alert.GetProperty("id").GetString();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            await Estate.SettleAsync();
            var current = (await Estate.AlertsAsync(alert.GetProperty("rule").GetString())).Single(a => a.GetProperty("id").GetString() == id);
            var response = current.GetProperty("response");
            if (response.GetProperty("state").GetString() == "done")
            {
                return response;
            }

            Assert.True(DateTime.UtcNow < deadline, "The alert's responses did not finish.");
            await Task.Delay(50, Ct);
        }
    }

    private async Task AssertResponseRecordedAsync(JsonElement alert, string kind)
    {
        var id = alert.GetProperty("id").GetString();
        var recorded = (await Estate.AuditAsync("detection.response")).Single(e => e.GetProperty("details").GetProperty("alert_id").GetString() == id && e.GetProperty("action").GetString() == kind);
        Assert.Equal(string.Join(' ', DetectionEstate.Evidence(alert)), recorded.GetProperty("details").GetProperty("evidence").GetString());
    }
}
