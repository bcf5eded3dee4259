using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mandate.Core.Audit;
using Mandate.Server.Tests.Tasks;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Detection;

/// <summary>One server for the rule tests (each test uses identities of its own, so their windows never mix).</summary>
public sealed class DetectionRuleFixture : IAsyncLifetime
{
    internal TaskEstate Estate { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Estate = await DetectionEstate.StartAsync(new Dictionary<string, string>
    {
        ["Rules:first_seen_action:Baseline"] = "00:00:00",
        ["Rules:first_seen_action:MinimumEvents"] = "3",
        ["Rules:rate_anomaly:MinimumEvents"] = "3",
        ["Rules:rate_anomaly:Threshold"] = "6",
        ["Rules:rate_anomaly:Deviation"] = "3",
    });

    public async ValueTask DisposeAsync() => await Estate.DisposeAsync();
}

/// <summary>
/// Every rule over real HTTP: the attack raises exactly its alert (naming the ledger records that triggered it), and
/// normal traffic by the same kind of identity raises none.
/// </summary>
public sealed class DetectionRuleTests(DetectionRuleFixture fixture) : IClassFixture<DetectionRuleFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private TaskEstate Estate => fixture.Estate;

    [Fact]
    public async Task CredentialReuse_ShouldFire_WhenARevokedTaskCredentialIsPresentedAtADecision()
    {
        var agent = await Estate.NewIdentityAsync("reuse");
        var (_, token, jti) = await Estate.TaskForAsync(agent);
        Assert.True((await Estate.DecideAsync(agent, "read", "Ticket", "T-1", token)).Decision);
        await Estate.AssertQuietAsync("credential_reuse", agent);

        await Estate.RevokeAsync(jti);
        Assert.False((await Estate.DecideAsync(agent, "read", "Ticket", "T-1", token)).Decision);
        var alert = await Estate.SingleAlertAsync("credential_reuse", agent);
        Assert.Equal("high", alert.GetProperty("severity").GetString());
        Assert.Contains(jti, alert.GetProperty("summary").GetString(), StringComparison.Ordinal);
        var evidence = await Estate.AuditAsync("detection.token_reuse");
        Assert.Contains(evidence, e => e.GetProperty("jti").GetString() == jti && DetectionEstate.Evidence(alert).Contains(e.GetProperty("seq").GetInt64()));
    }

    [Fact]
    public async Task CredentialReuse_ShouldFire_WhenARevokedSvidAuthenticatesAtTheSvidEndpoint()
    {
        var agent = await Estate.NewIdentityAsync("svid-reuse");
        var svid = Estate.Svid(agent);
        using var client = new HttpClient { BaseAddress = Estate.Server.Address };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", svid);
        using (var fine = await client.PostAsJsonAsync("/v1/svid/jwt", new { audiences = new[] { TaskEstate.Outsider } }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, fine.StatusCode);
        }

        await Estate.AssertQuietAsync("credential_reuse", agent);
        using (var revoke = await client.PostAsync("/oauth2/revoke", new FormUrlEncodedContent([new("token", svid)]), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        }

        for (var i = 0; i < 3; i++)
        {
            using var refused = await client.PostAsJsonAsync("/v1/svid/jwt", new { audiences = new[] { TaskEstate.Outsider } }, Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        var alert = await Estate.SingleAlertAsync("credential_reuse", agent);
        Assert.Contains("svid_authentication", alert.GetProperty("summary").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CredentialReuse_ShouldFire_WhenAPepIntrospectsACompletedTasksCredential()
    {
        var agent = await Estate.NewIdentityAsync("introspect");
        var (taskId, token, _) = await Estate.TaskForAsync(agent);
        Assert.True((await Estate.IntrospectAsync(token)).GetProperty("active").GetBoolean());
        await Estate.AssertQuietAsync("credential_reuse", agent);

        using (var svidClient = Estate.As(agent))
        using (var complete = await svidClient.PostAsync($"/v1/tasks/{taskId}/complete", null, Ct))
        {
            Assert.True(complete.IsSuccessStatusCode, await complete.Content.ReadAsStringAsync(Ct));
        }

        Assert.False((await Estate.IntrospectAsync(token)).GetProperty("active").GetBoolean());
        var alert = await Estate.SingleAlertAsync("credential_reuse", agent);
        Assert.Contains("introspection", alert.GetProperty("summary").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task JtiMultiSource_ShouldFire_WhenOneCredentialIsUsedFromTwoClientAddresses()
    {
        var agent = await Estate.NewIdentityAsync("multi");
        var (_, token, jti) = await Estate.TaskForAsync(agent);
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await Estate.DecideAsync(agent, "read", "Ticket", "T-" + i, token)).Decision);
        }

        await Estate.AssertQuietAsync("jti_multi_source", agent);
        using var elsewhere = Estate.Server.CreateClientFrom(IPAddress.Parse("127.0.0.2"));
        elsewhere.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Estate.Server.AdminToken);
        Assert.True((await Estate.DecideAsync(agent, "read", "Ticket", "T-9", token, elsewhere)).Decision);
        var alert = await Estate.SingleAlertAsync("jti_multi_source", agent);
        var summary = alert.GetProperty("summary").GetString()!;
        Assert.Contains(jti, summary, StringComparison.Ordinal);
        Assert.Contains("127.0.0.2", summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExchangeReplay_ShouldFire_WhenTheSameExchangeIsPresentedAgainAndAgain()
    {
        var agent = await Estate.NewIdentityAsync("replay");
        var (_, token, _) = await Estate.TaskForAsync(agent);
        using (var once = await Estate.ExchangeAsync(token, TaskEstate.SubAgent, "read"))
        {
            Assert.True(once.IsSuccessStatusCode, await once.Content.ReadAsStringAsync(Ct));
        }

        using (var twice = await Estate.ExchangeAsync(token, TaskEstate.SubAgent, "read"))
        {
            Assert.True(twice.IsSuccessStatusCode);
        }

        // Two exchanges with fresh actor tokens are normal delegation.
        await Estate.AssertQuietAsync("exchange_replay", TaskEstate.SubAgent);
        var captured = Estate.Svid(TaskEstate.SubAgent);
        for (var i = 0; i < 3; i++)
        {
            using var replayed = await Estate.ExchangeWithAsync(token, TaskEstate.SubAgent, captured, "read");
            Assert.True(replayed.IsSuccessStatusCode);
        }

        var alert = await Estate.SingleAlertAsync("exchange_replay", TaskEstate.SubAgent);
        Assert.Equal(3, DetectionEstate.Evidence(alert).Count);
    }

    [Fact]
    public async Task ScopeWideningAttempt_ShouldFire_WhenAnExchangeAsksForMoreScopeThanTheSubjectToken()
    {
        var agent = await Estate.NewIdentityAsync("widen");
        var (_, token, _) = await Estate.TaskForAsync(agent);
        var actor = await Estate.NewIdentityAsync("widen-actor");
        var (_, actorTask, _) = await Estate.TaskForAsync(actor);
        using (var narrowing = await Estate.ExchangeAsync(actorTask, TaskEstate.SubAgent, "read"))
        {
            Assert.True(narrowing.IsSuccessStatusCode);
        }

        await Estate.AssertQuietAsync("scope_widening_attempt", TaskEstate.SubAgent);
        using (var widening = await Estate.ExchangeAsync(token, TaskEstate.SubAgent, "read admin"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, widening.StatusCode);
        }

        var alert = await Estate.SingleAlertAsync("scope_widening_attempt", TaskEstate.SubAgent);
        Assert.Contains("beyond the subject token's scope", alert.GetProperty("summary").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BeyondTaskScope_ShouldFire_OnTheTenthOutOfTaskRequestWithinAMinute()
    {
        var agent = await Estate.NewIdentityAsync("beyond");
        var (taskId, token, _) = await Estate.TaskForAsync(agent);
        for (var i = 0; i < 9; i++)
        {
            Assert.False((await Estate.DecideAsync(agent, "read", "Dataset", "ds-" + i, token)).Decision);
        }

        await Estate.AssertQuietAsync("beyond_task_scope", agent);
        Assert.False((await Estate.DecideAsync(agent, "read", "Dataset", "ds-9", token)).Decision);
        var alert = await Estate.SingleAlertAsync("beyond_task_scope", agent);
        Assert.Equal(10, DetectionEstate.Evidence(alert).Count);
        Assert.Equal(taskId, alert.GetProperty("task_id").GetString());
    }

    [Fact]
    public async Task BeyondTaskScope_ShouldFire_WithinSeconds_WhenTheSameRefusedRequestIsRepeated()
    {
        // Ten times the very same out-of-task request: the ledger folds the repeats, and writes their count within the
        // flush interval (a second), long before the one-minute fold window closes.
        var agent = await Estate.NewIdentityAsync("repeated");
        var (_, token, _) = await Estate.TaskForAsync(agent);
        for (var i = 0; i < 10; i++)
        {
            Assert.False((await Estate.DecideAsync(agent, "read", "Dataset", "ds-same", token)).Decision);
        }

        await Estate.AssertQuietAsync("beyond_task_scope", agent);
        Estate.Clock.Advance(TimeSpan.FromSeconds(2));

        // The fold's sweep runs every flush interval of real time.
        var alerts = new List<JsonElement>();
        for (var attempt = 0; attempt < 50 && alerts.Count == 0; attempt++)
        {
            await Task.Delay(200, Ct);
            await Estate.SettleAsync();
            alerts = [.. await Estate.AlertsAsync("beyond_task_scope", agent)];
        }

        var alert = Assert.Single(alerts);
        Assert.Equal(2, DetectionEstate.Evidence(alert).Count);
    }

    [Fact]
    public async Task DenyBurst_ShouldFire_OnThirtyDeniesWithinAMinute()
    {
        var agent = await Estate.NewIdentityAsync("burst");
        for (var i = 0; i < 29; i++)
        {
            Assert.False((await Estate.DecideAsync(agent, "delete", "Invoice", "INV-" + i)).Decision);
        }

        await Estate.AssertQuietAsync("deny_burst", agent);
        Assert.False((await Estate.DecideAsync(agent, "delete", "Invoice", "INV-29")).Decision);
        var alert = await Estate.SingleAlertAsync("deny_burst", agent);
        Assert.Equal(30, DetectionEstate.Evidence(alert).Count);
        Assert.Equal("medium", alert.GetProperty("severity").GetString());
    }

    [Fact]
    public async Task PrivilegeEscalationAttempt_ShouldFire_WhenATaskAboveTheCeilingIsAskedFor()
    {
        var agent = await Estate.NewIdentityAsync("escalate");
        await Estate.TaskForAsync(agent);
        await Estate.AssertQuietAsync("privilege_escalation_attempt", agent);
        using var client = Estate.As(agent);
        using var refused = await client.PostAsJsonAsync("/v1/tasks", new { intent = TaskEstate.Intent(ceiling: "restricted"), ttl_seconds = 300 }, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var alert = await Estate.SingleAlertAsync("privilege_escalation_attempt", agent);
        Assert.Contains("open a task", alert.GetProperty("summary").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrivilegeEscalationAttempt_ShouldFire_WhenAWorkloadCallsAnAdminApiWithItsSvid()
    {
        var agent = await Estate.NewIdentityAsync("admin-call");
        using var client = Estate.As(agent);
        using (var own = await client.PostAsJsonAsync("/v1/svid/jwt", new { audiences = new[] { TaskEstate.Outsider } }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        }

        await Estate.AssertQuietAsync("privilege_escalation_attempt", agent);
        using var admin = await client.GetAsync("/v1/revocations", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, admin.StatusCode);
        var alert = await Estate.SingleAlertAsync("privilege_escalation_attempt", agent);
        Assert.Contains("/v1/revocations", alert.GetProperty("summary").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SuspendedIdentityUse_ShouldFire_WhenASuspendedIdentityIsDecidedFor()
    {
        var agent = await Estate.NewIdentityAsync("suspended");
        Assert.False((await Estate.DecideAsync(agent, "read", "Ticket", "T-1")).Decision);
        await Estate.AssertQuietAsync("suspended_identity_use", agent);
        using (var suspend = await Estate.Admin.PostAsJsonAsync("/v1/identities/suspend", new { spiffe_id = agent, reason = "detection test" }, Ct))
        {
            Assert.True(suspend.IsSuccessStatusCode, await suspend.Content.ReadAsStringAsync(Ct));
        }

        var (decision, body) = await Estate.DecideAsync(agent, "read", "Ticket", "T-1");
        Assert.False(decision);
        var alert = await Estate.SingleAlertAsync("suspended_identity_use", agent);
        Assert.Equal(agent, alert.GetProperty("identity").GetString());
        _ = body;
    }

    [Fact]
    public async Task FirstSeenAction_ShouldFire_OnAnActionOutsideTheLearntBaseline()
    {
        var agent = await Estate.NewIdentityAsync("first-seen");
        var (_, token, _) = await Estate.TaskForAsync(agent);
        for (var i = 0; i < 4; i++)
        {
            await Estate.DecideAsync(agent, "read", "Ticket", "T-" + i, token);
        }

        // Within the baseline: the same action and resource type again are quiet.
        await Estate.DecideAsync(agent, "read", "Ticket", "T-99", token);
        await Estate.AssertQuietAsync("first_seen_action", agent);
        await Estate.DecideAsync(agent, "write", "Ticket", "T-1", token);
        var alert = await Estate.SingleAlertAsync("first_seen_action", agent);
        Assert.Contains("'write'", alert.GetProperty("summary").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RateAnomaly_ShouldFire_WhenTheRateFarExceedsTheIdentitysOwnBaseline()
    {
        var agent = await Estate.NewIdentityAsync("rate");
        // Four quiet minutes of two decisions each: the baseline.
        for (var minute = 0; minute < 4; minute++)
        {
            await Estate.DecideAsync(agent, "ping", "Service", "svc-a");
            await Estate.DecideAsync(agent, "ping", "Service", "svc-b");

            // Ledger time is when a decision is recorded (behind its answer): let it be recorded before the minute ends.
            await Estate.SettleAsync();
            Estate.Clock.Advance(TimeSpan.FromMinutes(1));
        }

        await Estate.AssertQuietAsync("rate_anomaly", agent);
        for (var i = 0; i < 12; i++)
        {
            await Estate.DecideAsync(agent, "ping", "Service", "svc-" + i);
        }

        var alert = await Estate.SingleAlertAsync("rate_anomaly", agent);
        Assert.Contains("decisions within", alert.GetProperty("summary").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RateAnomaly_ShouldStayQuiet_WhenAPerfectlySteadyRateMerelyRises()
    {
        // Four minutes of exactly four decisions: the EWMA variance is zero, but counts vary at least as a Poisson
        // count does, and "far" means Ratio (3) times the usual rate: seven in a minute is neither.
        var agent = await Estate.NewIdentityAsync("steady");
        for (var minute = 0; minute < 4; minute++)
        {
            for (var i = 0; i < 4; i++)
            {
                await Estate.DecideAsync(agent, "ping", "Service", "svc-" + i);
            }

            await Estate.SettleAsync();
            Estate.Clock.Advance(TimeSpan.FromMinutes(1));
        }

        for (var i = 0; i < 7; i++)
        {
            await Estate.DecideAsync(agent, "ping", "Service", "svc-" + i);
        }

        await Estate.AssertQuietAsync("rate_anomaly", agent);
    }

    [Fact]
    public async Task ExceptionUse_ShouldFire_OnADecisionPermittedByAnExceptionGrant()
    {
        // Exception and break-glass grants do not exist yet: their documented ledger marker is written directly.
        var agent = await Estate.NewIdentityAsync("exception");
        var audit = Estate.Server.Services.GetRequiredService<IAuditTrail>();
        await audit.AppendAsync(Decision(agent, null), Ct);
        await Estate.AssertQuietAsync("exception_use", agent);
        var marked = await audit.AppendAsync(Decision(agent, "exc_breakglass_1"), Ct);
        var alert = await Estate.SingleAlertAsync("exception_use", agent);
        Assert.Equal([marked.Sequence], DetectionEstate.Evidence(alert));
        Assert.Contains("exc_breakglass_1", alert.GetProperty("summary").GetString(), StringComparison.Ordinal);

        static AuditEvent Decision(string agent, string? exception) => new()
        {
            Type = "decision",
            Actor = "admin",
            Subject = $"Workload::\"{agent}\"",
            Action = "Action::\"read\"",
            Resource = "Ticket::\"T-1\"",
            Decision = "allow",
            Details = exception is null
                ? new Dictionary<string, string> { ["decision_id"] = "d_test" }
                : new Dictionary<string, string> { ["decision_id"] = "d_test", ["exception_id"] = exception },
        };
    }

    [Fact]
    public async Task Alerts_ShouldBeLedgerEvents_NamingTheirEvidence()
    {
        var agent = await Estate.NewIdentityAsync("ledger");
        var (_, token, jti) = await Estate.TaskForAsync(agent);
        await Estate.RevokeAsync(jti);
        await Estate.DecideAsync(agent, "read", "Ticket", "T-1", token);
        var alert = await Estate.SingleAlertAsync("credential_reuse", agent);
        var recorded = (await Estate.AuditAsync("detection.alert")).Single(e => e.GetProperty("subject").GetString() == agent);
        var details = recorded.GetProperty("details");
        Assert.Equal(alert.GetProperty("id").GetString(), details.GetProperty("alert_id").GetString());
        Assert.Equal(string.Join(' ', DetectionEstate.Evidence(alert)), details.GetProperty("evidence").GetString());
        var response = (await Estate.AuditAsync("detection.response")).Single(e => e.GetProperty("subject").GetString() == agent);
        Assert.Equal("raise_risk", response.GetProperty("action").GetString());
        Assert.Equal("40", response.GetProperty("details").GetProperty("risk_score").GetString());
    }

    [Fact]
    public async Task AlertQuery_ShouldRefuseUnknownRulesAndMalformedTimes_AsProblemDetails()
    {
        using var unknown = await Estate.Admin.GetAsync("/v1/alerts?rule=nope", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("invalid-alert-query", await unknown.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        using var time = await Estate.Admin.GetAsync("/v1/alerts?since=yesterday", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, time.StatusCode);
        using var anonymous = await Estate.Server.Client.GetAsync("/v1/alerts", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var stream = await Estate.Server.Client.GetAsync("/v1/alerts/stream", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, stream.StatusCode);
        var doc = JsonDocument.Parse(await time.Content.ReadAsStringAsync(Ct));
        Assert.Equal("invalid-alert-query", doc.RootElement.GetProperty("code").GetString());
    }
}
