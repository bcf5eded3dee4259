using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Jose;
using Mandate.Core.Identity;
using Mandate.Core.Identity.Keys;
using Mandate.Core.Identity.Svid;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Detection;

/// <summary>
/// End to end on the demo estate over real HTTP, with an operator's webhook receiver and a Shared Signals push
/// receiver on loopback: the support assistant's revoked credentials are presented again; detection raises
/// <c>credential_reuse</c> (twice: its risk goes high), the assistant's next decision inside a valid task is denied by
/// <c>forbid-high-risk</c>, the alert arrives as a signed webhook and as a RISC <c>credential-compromise</c> SET
/// (verified with jose-jwt), and the alerts export as OCSF Detection Findings.
/// </summary>
public sealed class SignalsAcceptanceTests
{
    private const string Assistant = "spiffe://demo.mandate.local/agent/support-assistant";
    private const string CredentialCompromise = "https://schemas.openid.net/secevent/risc/event-type/credential-compromise";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReusedRevokedCredentials_ShouldRaiseTheAlert_DenyTheNextDecision_AndGoOutAsWebhookSetAndOcsf()
    {
        await using var server = await MandateTestServer.StartAsync();
        using var admin = server.CreateAdminClient();
        await using var hooks = await LoopbackReceiver.StartAsync();
        await using var sets = await LoopbackReceiver.StartAsync();

        string secret;
        using (var added = await admin.PostAsJsonAsync("/v1/webhooks", new { url = new Uri(hooks.Address, "mandate").ToString(), events = new[] { "alert.raised" } }, Ct))
        {
            var text = await added.Content.ReadAsStringAsync(Ct);
            Assert.Equal(HttpStatusCode.Created, added.StatusCode);
            secret = JsonDocument.Parse(text).RootElement.GetProperty("secret").GetString()!;
        }

        using (var stream = await admin.PostAsJsonAsync("/ssf/streams", new
        {
            delivery = new { method = "urn:ietf:rfc:8935", endpoint_url = new Uri(sets.Address, "events").ToString() },
            events_requested = new[] { CredentialCompromise },
        }, Ct))
        {
            Assert.Equal(HttpStatusCode.Created, stream.StatusCode);
        }

        var issuer = server.Services.GetRequiredService<IKeyRing>().Issuer;
        var svid = server.Services.GetRequiredService<JwtSvidIssuer>().Issue(SpiffeId.Parse(Assistant), [issuer], TimeSpan.FromMinutes(30)).Token;
        using var agent = new HttpClient { BaseAddress = server.Address };
        agent.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", svid);
        var tokens = new List<(string Token, string Jti)>();
        for (var i = 0; i < 3; i++)
        {
            tokens.Add(await OpenTaskAsync(agent));
        }

        Assert.True((await DecideAsync(admin, tokens[2].Token)).Decision);

        // The attack: two revoked credentials presented again (each credential_reuse raises risk by 40: 80, high).
        foreach (var (token, jti) in tokens.Take(2))
        {
            using (var revoke = await admin.PostAsJsonAsync("/v1/revocations", new { target_kind = "credential", target = jti, reason = "leaked" }, Ct))
            {
                Assert.True(revoke.IsSuccessStatusCode);
            }

            Assert.False((await DecideAsync(admin, token)).Decision);
        }

        // Signed webhooks: one alert.raised per reuse, each verified as the specification says.
        var alerts = new List<JsonElement>();
        while (alerts.Count < 2)
        {
            var request = await hooks.NextAsync(TimeSpan.FromSeconds(20));
            Assert.True(StandardWebhooks.Verifies(request, secret));
            var data = JsonDocument.Parse(request.Body).RootElement.GetProperty("data").Clone();
            Assert.Equal("credential_reuse", data.GetProperty("rule").GetString());
            Assert.Equal(Assistant, data.GetProperty("identity").GetString());
            alerts.Add(data);
        }

        Assert.Equal("high", alerts[1].GetProperty("response").GetProperty("risk").GetProperty("level").GetString());

        // The next decision, inside a valid task, is denied for risk (the engine applies risk as it commits the alert,
        // a moment before the webhook can leave: wait for the risk API to show it rather than race it).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (JsonDocument.Parse(await admin.GetStringAsync("/v1/risk/" + Uri.EscapeDataString(Assistant), Ct)).RootElement.GetProperty("level").GetString() != "high")
        {
            Assert.True(DateTime.UtcNow < deadline, "The assistant's risk did not go high.");
            await Task.Delay(20, Ct);
        }

        var (next, body) = await DecideAsync(admin, tokens[2].Token);
        Assert.False(next);
        Assert.Contains("forbid-high-risk", body.ToString(), StringComparison.Ordinal);

        // The SET: RISC credential-compromise about the assistant, verified with jose-jwt against the published key.
        var config = JsonDocument.Parse(await admin.GetStringAsync("/.well-known/ssf-configuration", Ct)).RootElement;
        var jwks = JwkSet.FromJson(await admin.GetStringAsync(config.GetProperty("jwks_uri").GetString(), Ct), JWT.DefaultSettings.JsonMapper);
        var pushed = await sets.NextAsync(TimeSpan.FromSeconds(20));
        var headers = JWT.Headers(pushed.Body);
        Assert.Equal("secevent+jwt", headers["typ"]);
        var claims = JsonDocument.Parse(JWT.Decode(pushed.Body, jwks.Keys.Single(k => k.KeyId == (string)headers["kid"]).ECDsaKey(), JwsAlgorithm.ES256)).RootElement;
        Assert.Equal(Assistant, claims.GetProperty("sub_id").GetProperty("uri").GetString());
        Assert.True(claims.GetProperty("events").TryGetProperty(CredentialCompromise, out var compromise));
        Assert.Equal("jwt", compromise.GetProperty("credential_type").GetString());

        // OCSF: each alert a Detection Finding with the class's required attributes.
        var ocsf = JsonDocument.Parse(await admin.GetStringAsync("/v1/alerts?format=ocsf&rule=credential_reuse", Ct)).RootElement;
        var findings = ocsf.GetProperty("findings").EnumerateArray().ToList();
        Assert.Equal(2, findings.Count);
        foreach (var finding in findings)
        {
            Assert.Equal(2004, finding.GetProperty("class_uid").GetInt32());
            Assert.Equal(2, finding.GetProperty("category_uid").GetInt32());
            Assert.Equal(1, finding.GetProperty("activity_id").GetInt32());
            Assert.Equal(200401, finding.GetProperty("type_uid").GetInt64());
            Assert.Equal(4, finding.GetProperty("severity_id").GetInt32());
            Assert.True(finding.GetProperty("time").GetInt64() > 0);
            Assert.Equal("1.1.0", finding.GetProperty("metadata").GetProperty("version").GetString());
            Assert.Equal("Mandate", finding.GetProperty("metadata").GetProperty("product").GetProperty("name").GetString());
            Assert.Contains(finding.GetProperty("finding_info").GetProperty("uid").GetString(), alerts.Select(a => a.GetProperty("id").GetString()));
            Assert.False(string.IsNullOrEmpty(finding.GetProperty("finding_info").GetProperty("title").GetString()));
            Assert.Equal("credential_reuse", finding.GetProperty("finding_info").GetProperty("analytic").GetProperty("name").GetString());
            Assert.NotEmpty(finding.GetProperty("finding_info").GetProperty("related_events").EnumerateArray());
        }

        using var badFormat = await admin.GetAsync("/v1/alerts?format=cef", Ct);
        await ProblemAssert.ProblemAsync(badFormat, HttpStatusCode.BadRequest, "invalid-alert-query");
    }

    private static async Task<(string Token, string Jti)> OpenTaskAsync(HttpClient agent)
    {
        using var opened = await agent.PostAsJsonAsync("/v1/tasks", new
        {
            intent = new { description = "answer ticket T-1001", actions = new[] { "read" }, resources = new[] { "Ticket::\"T-1001\"" }, sensitivity_ceiling = "medium" },
            ttl_seconds = 600,
        }, Ct);
        var text = await opened.Content.ReadAsStringAsync(Ct);
        Assert.True(opened.IsSuccessStatusCode, text);
        var credential = JsonDocument.Parse(text).RootElement.GetProperty("credential");
        return (credential.GetProperty("access_token").GetString()!, credential.GetProperty("jti").GetString()!);
    }

    private static async Task<(bool Decision, JsonElement Body)> DecideAsync(HttpClient pep, string credential)
    {
        using var response = await pep.PostAsJsonAsync("/access/v1/evaluation", new
        {
            subject = new { type = "Workload", id = Assistant },
            action = new { name = "read" },
            resource = new { type = "Ticket", id = "T-1001" },
            context = new { credential },
        }, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, text);
        var body = JsonDocument.Parse(text).RootElement.Clone();
        return (body.GetProperty("decision").GetBoolean(), body);
    }
}
