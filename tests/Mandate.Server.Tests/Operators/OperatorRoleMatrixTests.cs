using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mandate.Core.Operators;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Operators;

/// <summary>
/// Every admin endpoint against every operator role over real HTTP, as docs/operators.md maps them: a role that
/// satisfies the endpoint's least role is let through (whatever the endpoint then answers, never 401 or 403), any other
/// is refused with 403 <c>forbidden</c> naming the role needed. The calls are shaped to change nothing (unknown targets,
/// incomplete bodies), so the order of the cases does not matter.
/// </summary>
public sealed class OperatorRoleMatrixTests(OperatorRoleMatrixTests.Fixture fixture) : IClassFixture<OperatorRoleMatrixTests.Fixture>
{
    private const string Nobody = "spiffe://demo.mandate.local/none/matrix";

    /// <summary>Method, path, JSON body (null: none), and the least role.</summary>
    private static readonly (string Method, string Path, string? Body, OperatorRole Role)[] Endpoints =
    [
        ("GET", "/v1/status", null, OperatorRole.Auditor),
        ("GET", "/v1/alerts", null, OperatorRole.Auditor),
        ("GET", "/v1/risk", null, OperatorRole.Auditor),
        ("GET", "/v1/risk/spiffe:%2F%2Fdemo.mandate.local%2Fsvc%2Fbilling", null, OperatorRole.Auditor),
        ("POST", "/v1/risk/spiffe:%2F%2Fdemo.mandate.local%2Fsvc%2Fbilling/clear", "{}", OperatorRole.Security),
        ("GET", "/v1/secrets/fingerprint-key", null, OperatorRole.Security),
        ("POST", "/v1/secrets/scans", "{}", OperatorRole.Security),
        ("GET", "/v1/webhooks", null, OperatorRole.Security),
        ("POST", "/v1/webhooks", "{}", OperatorRole.Security),
        ("GET", "/v1/webhooks/dead-letters", null, OperatorRole.Security),
        ("DELETE", "/v1/webhooks/wh_none", null, OperatorRole.Security),
        ("POST", "/v1/webhooks/wh_none/redeliver", null, OperatorRole.Security),
        ("POST", "/v1/webhooks/messages/msg_none/redeliver", null, OperatorRole.Security),
        ("POST", "/ssf/streams", "{}", OperatorRole.Security),
        ("GET", "/ssf/streams", null, OperatorRole.Security),
        ("PATCH", "/ssf/streams", "{}", OperatorRole.Security),
        ("PUT", "/ssf/streams", "{}", OperatorRole.Security),
        ("DELETE", "/ssf/streams?stream_id=none", null, OperatorRole.Security),
        ("GET", "/ssf/status?stream_id=none", null, OperatorRole.Security),
        ("POST", "/ssf/status", "{}", OperatorRole.Security),
        ("POST", "/ssf/subjects:add", "{}", OperatorRole.Security),
        ("POST", "/ssf/subjects:remove", "{}", OperatorRole.Security),
        ("POST", "/ssf/verify", "{}", OperatorRole.Security),
        ("POST", "/ssf/poll/none", "{}", OperatorRole.Security),
        ("GET", "/v1/exceptions", null, OperatorRole.Auditor),
        ("GET", "/v1/exceptions/exc_none", null, OperatorRole.Auditor),
        ("POST", "/v1/exceptions", "{}", OperatorRole.Security),
        ("POST", "/v1/breakglass", "{}", OperatorRole.Security),
        ("POST", "/v1/exceptions/exc_none/approve", "{}", OperatorRole.Approver),
        ("POST", "/v1/exceptions/exc_none/deny", "{}", OperatorRole.Approver),
        ("GET", "/v1/identities", null, OperatorRole.Auditor),
        ("GET", "/v1/identities/demo.mandate.local/svc/billing", null, OperatorRole.Auditor),
        ("GET", "/v1/identities/spiffe:%2F%2Fdemo.mandate.local%2Fsvc%2Fbilling/timeline", null, OperatorRole.Auditor),
        ("POST", "/v1/identities", "{}", OperatorRole.Admin),
        ("POST", "/v1/identities/suspend", $"{{\"spiffe_id\":\"{Nobody}\"}}", OperatorRole.Security),
        ("POST", "/v1/identities/reactivate", $"{{\"spiffe_id\":\"{Nobody}\"}}", OperatorRole.Security),
        ("POST", "/v1/identities/revoke", $"{{\"spiffe_id\":\"{Nobody}\"}}", OperatorRole.Security),
        ("POST", "/v1/identities/offboard", $"{{\"spiffe_id\":\"{Nobody}\"}}", OperatorRole.Security),
        ("POST", "/v1/attest/join-tokens", $"{{\"spiffe_id\":\"{Nobody}\"}}", OperatorRole.Admin),
        ("GET", "/v1/revocations", null, OperatorRole.Auditor),
        ("POST", "/v1/revocations", "{\"target_kind\":\"credential\",\"target\":\"none\"}", OperatorRole.Security),
        ("GET", "/v1/credentials/none", null, OperatorRole.Auditor),
        ("GET", "/v1/policies", null, OperatorRole.Auditor),
        ("PUT", "/v1/policies", "{}", OperatorRole.Security),
        ("POST", "/v1/policies/validate", "{}", OperatorRole.Security),
        ("GET", "/v1/policies/versions", null, OperatorRole.Auditor),
        ("GET", "/v1/policies/versions/none", null, OperatorRole.Auditor),
        ("POST", "/v1/policies/versions/none/activate", null, OperatorRole.Security),
        ("POST", "/v1/policies/rollback", "{\"version\":\"none\"}", OperatorRole.Security),
        ("GET", "/v1/policies/activations", null, OperatorRole.Auditor),
        ("GET", "/v1/audit/verify", null, OperatorRole.Auditor),
        ("GET", "/v1/audit/events?limit=1", null, OperatorRole.Auditor),
        ("POST", "/v1/audit/events", "{\"type\":\"not-an-annotation\"}", OperatorRole.Security),
        ("GET", "/v1/audit/events/1/proof", null, OperatorRole.Auditor),
        ("GET", "/v1/audit/checkpoints", null, OperatorRole.Auditor),
        ("POST", "/v1/audit/checkpoints", null, OperatorRole.Security),
        ("GET", "/v1/audit/export?from=1&to=1", null, OperatorRole.Auditor),
        ("GET", "/v1/tasks", null, OperatorRole.Auditor),
        ("GET", "/v1/tasks/none", null, OperatorRole.Auditor),
        ("POST", "/v1/tasks/none/renew", null, OperatorRole.Security),
        ("POST", "/v1/tasks/none/complete", null, OperatorRole.Security),
        ("GET", "/v1/reviews", null, OperatorRole.Auditor),
        ("POST", "/v1/reviews", "{}", OperatorRole.Security),
        ("GET", "/v1/reviews/none", null, OperatorRole.Auditor),
        ("GET", "/v1/reviews/none/report", null, OperatorRole.Auditor),
        ("POST", "/v1/reviews/none/items/1/decision", "{}", OperatorRole.Reviewer),
        ("POST", "/v1/reviews/none/items/1/lift", "{}", OperatorRole.Security),
        ("GET", "/v1/offboardings", null, OperatorRole.Auditor),
        ("POST", "/v1/offboardings", "{}", OperatorRole.Security),
        ("GET", "/v1/offboardings/none", null, OperatorRole.Auditor),
        ("GET", "/v1/operators", null, OperatorRole.Admin),
        ("POST", "/v1/operators", "{}", OperatorRole.Admin),
        ("GET", "/v1/operators/nobody", null, OperatorRole.Admin),
        ("POST", "/v1/operators/nobody/disable", null, OperatorRole.Admin),
        ("POST", "/v1/operators/nobody/enable", null, OperatorRole.Admin),
        ("GET", "/v1/operators/nobody/tokens", null, OperatorRole.Admin),
        ("POST", "/v1/operators/nobody/tokens", null, OperatorRole.Admin),
        ("GET", "/v1/pep-credentials", null, OperatorRole.Security),
        ("POST", "/v1/pep-credentials", "{}", OperatorRole.Security),
        ("POST", "/v1/pep-credentials/none/revoke", null, OperatorRole.Security),
    ];

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var role in OperatorRoles.All)
        {
            for (var i = 0; i < Endpoints.Length; i++)
            {
                data.Add(OperatorRoles.Name(role), i);
            }
        }

        return data;
    }

    /// <summary>One server, one operator per role (named after it), each with a token.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        internal MandateTestServer Server { get; private set; } = null!;

        internal Dictionary<string, HttpClient> Clients { get; } = new(StringComparer.Ordinal);

        public async ValueTask InitializeAsync()
        {
            Server = await MandateTestServer.StartAsync();
            foreach (var role in OperatorRoles.All)
            {
                var name = OperatorRoles.Name(role);
                Clients[name] = (await OperatorTestData.AddWithTokenAsync(Server, "matrix-" + name, name)).Client;
            }

            Clients["bootstrap"] = Server.CreateAdminClient();
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var client in Clients.Values)
            {
                client.Dispose();
            }

            await Server.DisposeAsync();
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Endpoint_ShouldAdmitExactlyTheRolesThatSatisfyItsLeastRole(string role, int endpoint)
    {
        var (method, path, body, required) = Endpoints[endpoint];
        OperatorRoles.TryParse(role, out var held);
        using var response = await SendAsync(fixture.Clients[role], method, path, body);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        if (OperatorRoles.Satisfies([held], required))
        {
            Assert.True(
                response.StatusCode is not HttpStatusCode.Unauthorized and not HttpStatusCode.Forbidden,
                $"{role} on {method} {path}: {(int)response.StatusCode} {text}");
            return;
        }

        await OperatorTestData.AssertProblemAsync(response, HttpStatusCode.Forbidden, "forbidden");
        using var problem = JsonDocument.Parse(text);
        Assert.Equal(OperatorRoles.Name(required), problem.RootElement.GetProperty("required_role").GetString());
        Assert.Contains($"'{OperatorRoles.Name(required)}'", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("operator:matrix-" + role, problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefusedCall_ShouldBeInTheLedger_NamingTheOperatorTheCallAndTheRoleItNeeds()
    {
        var ct = TestContext.Current.CancellationToken;
        using var refused = await SendAsync(fixture.Clients["auditor"], "POST", "/v1/pep-credentials/ledger-check/revoke", null);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        await fixture.Server.Services.GetRequiredService<Mandate.Core.Decisions.DecisionAuditQueue>().FlushAsync(ct);
        var events = (await fixture.Clients["bootstrap"].GetFromJsonAsync<JsonElement>("/v1/audit/events?type=access.forbidden&limit=1000", ct))
            .GetProperty("events").EnumerateArray()
            .Where(e => e.GetProperty("resource").GetString() == "/v1/pep-credentials/ledger-check/revoke")
            .ToList();
        var recorded = Assert.Single(events);
        Assert.Equal("operator:matrix-auditor", recorded.GetProperty("actor").GetString());
        Assert.Equal("POST", recorded.GetProperty("action").GetString());
        Assert.Equal("deny", recorded.GetProperty("decision").GetString());
        Assert.Equal("security", recorded.GetProperty("details").GetProperty("required_role").GetString());
    }

    [Fact]
    public async Task BootstrapAdminToken_ShouldKeepFullRights_OnEveryEndpoint()
    {
        foreach (var (method, path, body, _) in Endpoints)
        {
            using var response = await SendAsync(fixture.Clients["bootstrap"], method, path, body);
            Assert.True(response.StatusCode is not HttpStatusCode.Unauthorized and not HttpStatusCode.Forbidden, $"{method} {path}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task NoCredential_ShouldBe401_OnEveryEndpoint()
    {
        foreach (var (method, path, body, _) in Endpoints)
        {
            using var response = await SendAsync(fixture.Server.Client, method, path, body);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path}: {(int)response.StatusCode}");
        }
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string method, string path, string? body)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        return client.SendAsync(request, TestContext.Current.CancellationToken);
    }
}
