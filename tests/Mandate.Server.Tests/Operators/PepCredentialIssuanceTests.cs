using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Operators;

/// <summary>
/// PEP credentials issued through <c>/v1/pep-credentials</c> over real HTTP: shown once, usable at the decision point
/// like configured ones (which keep working), refused at once when revoked, never an admin credential, and issued only
/// by the security role.
/// </summary>
public sealed class PepCredentialIssuanceTests(PepCredentialIssuanceTests.Fixture fixture) : IClassFixture<PepCredentialIssuanceTests.Fixture>
{
    private const string Evaluation =
        "{\"subject\":{\"type\":\"Workload\",\"id\":\"spiffe://demo.mandate.local/svc/billing\"},\"action\":{\"name\":\"read\"},\"resource\":{\"type\":\"Invoice\",\"id\":\"INV-2026-001\"}}";

    private MandateTestServer server => fixture.Server;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class Fixture : IAsyncLifetime
    {
        internal MandateTestServer Server { get; private set; } = null!;

        internal HttpClient Security { get; private set; } = null!;

        internal HttpClient Auditor { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            // No anonymous enforcement points: every decision here is the credential's.
            Server = await MandateTestServer.StartAsync(configureBuilder: b =>
            {
                TestPep.Configure(b);
                b.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Mandate:Decisions:AllowAnonymousPeps"] = "None" });
            });
            Security = (await OperatorTestData.AddWithTokenAsync(Server, "sec", "security")).Client;
            Auditor = (await OperatorTestData.AddWithTokenAsync(Server, "aud", "auditor")).Client;
        }

        public async ValueTask DisposeAsync()
        {
            Security.Dispose();
            Auditor.Dispose();
            await Server.DisposeAsync();
        }
    }

    private async Task<(string Token, string Id)> IssueAsync(string name)
    {
        using var response = await fixture.Security.PostAsJsonAsync("/v1/pep-credentials", new { name }, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var issued = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("pep:" + name, issued.GetProperty("caller").GetString());
        return (issued.GetProperty("token").GetString()!, issued.GetProperty("id").GetString()!);
    }

    private static Task<HttpResponseMessage> EvaluateAsync(HttpClient client) =>
        client.PostAsync(new Uri("/access/v1/evaluation", UriKind.Relative), new StringContent(Evaluation, Encoding.UTF8, "application/json"), Ct);

    [Fact]
    public async Task IssuedCredential_ShouldBeAnsweredAtTheDecisionPoint_AsItsPep_AndRefusedAtOnceWhenRevoked()
    {
        var (token, id) = await IssueAsync("edge-gateway");
        Assert.StartsWith("mpt_", token, StringComparison.Ordinal);
        using var pep = OperatorTestData.Client(server, token);
        using (var allowed = await EvaluateAsync(pep))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
            Assert.True((await allowed.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("decision").GetBoolean());
        }

        using (var revoke = await fixture.Security.PostAsJsonAsync($"/v1/pep-credentials/{id}/revoke", new { reason = "gateway retired" }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
            Assert.Equal("revoked", (await revoke.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("status").GetString());
        }

        await OperatorTestData.AssertProblemAsync(await EvaluateAsync(pep), HttpStatusCode.Unauthorized, "unauthenticated");
        var issued = Assert.Single(await OperatorTestData.EventsAsync(server, "pep_credential.issued"), e => e.GetProperty("jti").GetString() == id);
        Assert.Equal("operator:sec", issued.GetProperty("actor").GetString());
        var revoked = Assert.Single(await OperatorTestData.EventsAsync(server, "pep_credential.revoked"), e => e.GetProperty("jti").GetString() == id);
        Assert.Equal("gateway retired", revoked.GetProperty("reason").GetString());
        Assert.DoesNotContain(token, string.Join('\n', await OperatorTestData.LedgerAsync(server)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task IssuedCredential_ShouldBeRefused_OnceItExpires_ThoughItWasAnsweredBefore()
    {
        // Its own server with a clock the test moves: a credential answered before (and so remembered) must still
        // stop at its expiry, and a second credential's use must not extend the first's.
        var clock = new Mandate.Tests.Shared.ManualClock(DateTimeOffset.UtcNow);
        await using var own = await MandateTestServer.StartAsync(configureBuilder: b =>
        {
            b.Services.AddSingleton<TimeProvider>(clock);
            b.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Mandate:Decisions:AllowAnonymousPeps"] = "None" });
        });
        var (security, _, _) = await OperatorTestData.AddWithTokenAsync(own, "sec", "security");
        using (security)
        {
            using var issued = await security.PostAsJsonAsync("/v1/pep-credentials", new { name = "short-lived", ttl_seconds = 60 }, Ct);
            Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
            var token = (await issued.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("token").GetString()!;
            using var pep = OperatorTestData.Client(own, token);
            for (var i = 0; i < 3; i++)
            {
                using var allowed = await EvaluateAsync(pep);
                Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
            }

            clock.Advance(TimeSpan.FromSeconds(61));
            await OperatorTestData.AssertProblemAsync(await EvaluateAsync(pep), HttpStatusCode.Unauthorized, "unauthenticated");
            await OperatorTestData.AssertProblemAsync(await EvaluateAsync(pep), HttpStatusCode.Unauthorized, "unauthenticated");
        }
    }

    [Fact]
    public async Task ConfiguredCredential_ShouldKeepWorking_NextToIssuedOnes()
    {
        await IssueAsync("second-gateway");
        using var configured = TestPep.CreateClient(server);
        using var response = await EvaluateAsync(configured);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var list = await fixture.Security.GetFromJsonAsync<JsonElement>("/v1/pep-credentials", Ct);
        Assert.Contains(TestPep.Name, list.GetProperty("configured").EnumerateArray().Select(e => e.GetString()));
        await OperatorTestData.AssertProblemAsync(
            await fixture.Security.PostAsJsonAsync("/v1/pep-credentials", new { name = TestPep.Name }, Ct), HttpStatusCode.Conflict, "pep-credential-exists");
    }

    [Fact]
    public async Task PepCredential_ShouldNotOpenTheAdminApi()
    {
        var (token, _) = await IssueAsync("no-admin");
        using var pep = OperatorTestData.Client(server, token);
        foreach (var path in new[] { "/v1/status", "/v1/pep-credentials", "/v1/operators", "/v1/audit/events" })
        {
            await OperatorTestData.AssertProblemAsync(await pep.GetAsync(new Uri(path, UriKind.Relative), Ct), HttpStatusCode.Unauthorized, "unauthenticated");
        }

        await OperatorTestData.AssertProblemAsync(await pep.PostAsJsonAsync("/v1/pep-credentials", new { name = "escalated" }, Ct), HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task Auditor_ShouldNotIssueListOrRevokePepCredentials()
    {
        var (_, id) = await IssueAsync("auditor-target");
        await OperatorTestData.AssertProblemAsync(await fixture.Auditor.PostAsJsonAsync("/v1/pep-credentials", new { name = "by-auditor" }, Ct), HttpStatusCode.Forbidden, "forbidden");
        await OperatorTestData.AssertProblemAsync(await fixture.Auditor.GetAsync(new Uri("/v1/pep-credentials", UriKind.Relative), Ct), HttpStatusCode.Forbidden, "forbidden");
        await OperatorTestData.AssertProblemAsync(await fixture.Auditor.DeleteAsync(new Uri($"/v1/pep-credentials/{id}", UriKind.Relative), Ct), HttpStatusCode.Forbidden, "forbidden");
        var list = await fixture.Security.GetStringAsync(new Uri("/v1/pep-credentials", UriKind.Relative), Ct);
        Assert.DoesNotContain("by-auditor", list, StringComparison.Ordinal);
        Assert.DoesNotContain("hash", list, StringComparison.Ordinal);
        Assert.DoesNotContain("mpt_", list, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"name\":\"\"}", HttpStatusCode.BadRequest, "pep-credential-invalid")]
    [InlineData("{\"name\":\"has space\"}", HttpStatusCode.BadRequest, "pep-credential-invalid")]
    [InlineData("{\"name\":\"ok\",\"ttl_seconds\":0}", HttpStatusCode.BadRequest, "pep-credential-invalid")]
    [InlineData("{\"name\":5}", HttpStatusCode.BadRequest, "malformed-json")]
    public async Task BadRequest_ShouldBeAProblem(string body, HttpStatusCode status, string code)
    {
        using var response = await fixture.Security.PostAsync(new Uri("/v1/pep-credentials", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"), Ct);
        await OperatorTestData.AssertProblemAsync(response, status, code);
    }

    [Fact]
    public async Task RevokingTwice_OrAnUnknownId_ShouldBeAProblem()
    {
        var (_, id) = await IssueAsync("twice-revoked");
        Assert.Equal(HttpStatusCode.OK, (await fixture.Security.DeleteAsync(new Uri($"/v1/pep-credentials/{id}", UriKind.Relative), Ct)).StatusCode);
        await OperatorTestData.AssertProblemAsync(await fixture.Security.DeleteAsync(new Uri($"/v1/pep-credentials/{id}", UriKind.Relative), Ct), HttpStatusCode.Conflict, "pep-credential-revoked");
        await OperatorTestData.AssertProblemAsync(await fixture.Security.DeleteAsync(new Uri("/v1/pep-credentials/pcr_none", UriKind.Relative), Ct), HttpStatusCode.NotFound, "pep-credential-not-found");
    }
}
