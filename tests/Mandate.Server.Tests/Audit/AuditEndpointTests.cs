using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Mandate.Server.Tests.Audit;

public sealed class AuditEndpointTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Annotation_ShouldBeAcknowledgedWithItsPosition_AndShowUpInQueriesAndVerification()
    {
        await using var server = await MandateTestServer.StartAsync();
        using var admin = server.CreateAdminClient();

        var response = await admin.PostAsJsonAsync("/v1/audit/events", new { reason = "maintenance window", subject = "spiffe://demo.mandate.local/svc/billing", task_id = "t-1" }, Ct);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var checkpoint = await admin.PostAsync(new Uri("/v1/audit/checkpoints", UriKind.Relative), null, Ct);
        var query = await admin.GetFromJsonAsync<JsonElement>("/v1/audit/events?identity=spiffe%3A%2F%2Fdemo.mandate.local%2Fsvc%2Fbilling&task=t-1", Ct);
        var verify = await admin.GetFromJsonAsync<JsonElement>("/v1/audit/verify", Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("annotation", created.GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.Created, checkpoint.StatusCode);
        var found = Assert.Single(query.GetProperty("events").EnumerateArray());
        Assert.Equal(created.GetProperty("seq").GetInt64(), found.GetProperty("seq").GetInt64());
        Assert.Equal(created.GetProperty("hash").GetString(), found.GetProperty("hash").GetString());
        Assert.True(verify.GetProperty("verified").GetBoolean());
        Assert.Equal("verified", verify.GetProperty("status").GetString());
        Assert.True(verify.GetProperty("checkpoints").GetInt64() >= 1);
    }

    [Theory]
    [InlineData("{\"type\":\"credential.revoked\"}", "invalid-audit-annotation")]
    [InlineData("{\"details\":{\"k\":null}}", "invalid-audit-annotation")]
    public async Task Annotation_ShouldBeRejectedWithProblemDetails_WhenInvalid(string body, string code)
    {
        await using var server = await MandateTestServer.StartAsync();
        using var admin = server.CreateAdminClient();

        var response = await admin.PostAsync(new Uri("/v1/audit/events", UriKind.Relative), new StringContent(body, System.Text.Encoding.UTF8, "application/json"), Ct);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(code, problem.GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("decision=maybe", "decision")]
    [InlineData("since=yesterday", "since")]
    [InlineData("since=1/2/2026", "since")]
    [InlineData("until=2026-01-31T12:00:00", "until")]
    [InlineData("limit=0", "limit")]
    [InlineData("after=-1", "after")]
    [InlineData("colour=red", "colour")]
    public async Task Query_ShouldNameTheBadParameter(string query, string parameter)
    {
        await using var server = await MandateTestServer.StartAsync();
        using var admin = server.CreateAdminClient();

        var response = await admin.GetAsync(new Uri("/v1/audit/events?" + query, UriKind.Relative), Ct);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid-audit-query", problem.GetProperty("code").GetString());
        Assert.Contains(parameter, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/v1/audit/verify")]
    [InlineData("GET", "/v1/audit/events")]
    [InlineData("POST", "/v1/audit/events")]
    [InlineData("GET", "/v1/audit/export")]
    [InlineData("GET", "/v1/audit/events/1/proof")]
    [InlineData("GET", "/v1/identities/x/timeline")]
    public async Task AuditEndpoints_ShouldRequireTheAdminToken(string method, string path)
    {
        await using var server = await MandateTestServer.StartAsync();

        var response = await server.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Proof_ShouldProveOneEvent_AgainstThePublishedKey_OrSayWhyNot()
    {
        await using var server = await MandateTestServer.StartAsync();
        using var admin = server.CreateAdminClient();
        var annotated = await admin.PostAsJsonAsync("/v1/audit/events", new { reason = "prove me" }, Ct);
        var seq = (await annotated.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("seq").GetInt64();

        var early = await admin.GetAsync(new Uri($"/v1/audit/events/{seq}/proof", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Equal("https://mandate.dev/problems/audit-event-not-checkpointed", (await early.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("type").GetString());
        var missing = await admin.GetAsync(new Uri("/v1/audit/events/999999/proof", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("https://mandate.dev/problems/audit-event-not-found", (await missing.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("type").GetString());

        await admin.PostAsync(new Uri("/v1/audit/checkpoints", UriKind.Relative), null, Ct);
        var proofJson = await admin.GetStringAsync(new Uri($"/v1/audit/events/{seq}/proof", UriKind.Relative), Ct);
        var keys = await server.Client.GetFromJsonAsync<JsonElement>("/v1/audit/keys", Ct);
        var pinned = keys.GetProperty("keys").EnumerateArray().Select(Core.Audit.AuditPublicKey.FromJwk).ToList();
        using var document = JsonDocument.Parse(proofJson);
        var proof = Core.Audit.AuditInclusionProof.Parse(document.RootElement);
        var result = Core.Audit.AuditInclusionProofs.Verify(proof, pinned);

        Assert.True(result.Verified, result.Reason);
        Assert.Equal("prove me", document.RootElement.GetProperty("event").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Keys_ShouldBePublic_AndVerifyTheExport()
    {
        await using var server = await MandateTestServer.StartAsync();
        using var admin = server.CreateAdminClient();
        await admin.PostAsJsonAsync("/v1/audit/events", new { reason = "x" }, Ct);
        await admin.PostAsync(new Uri("/v1/audit/checkpoints", UriKind.Relative), null, Ct);

        var keys = await server.Client.GetFromJsonAsync<JsonElement>("/v1/audit/keys", Ct);
        var export = await admin.GetStringAsync(new Uri("/v1/audit/export", UriKind.Relative), Ct);
        var pinned = keys.GetProperty("keys").EnumerateArray().Select(Core.Audit.AuditPublicKey.FromJwk).ToList();
        var result = await Core.Audit.AuditExport.VerifyAsync(new StringReader(export), pinned, Ct);

        Assert.True(result.Verified, result.Failure?.ToString());
        Assert.True(result.Checkpoints >= 1);
    }

    [Theory]
    [InlineData("/v1/audit/export?from=10&to=5")]
    [InlineData("/v1/audit/export?from=0")]
    [InlineData("/v1/audit/export?from=-5")]
    [InlineData("/v1/audit/export?bogus=1")]
    [InlineData("/v1/audit/events/abc/proof")]
    [InlineData("/v1/audit/events/0/proof")]
    [InlineData("/v1/audit/events/-1/proof")]
    [InlineData("/v1/audit/events/99999999999999999999/proof")]
    public async Task BadRangesAndSequenceNumbers_ShouldBeInvalidAuditQueries_NotEmptyAnswersOrNotFound(string path)
    {
        await using var server = await MandateTestServer.StartAsync();
        using var admin = server.CreateAdminClient();

        var response = await admin.GetAsync(new Uri(path, UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("invalid-audit-query", problem.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
    }

    [Theory]
    [InlineData("nobody")]
    [InlineData("%2525")]
    [InlineData("spiffe:%2F%2Fdemo.mandate.local%2F..%2Fy")]
    public async Task Timeline_ShouldRefuseWhatIsNotASpiffeId(string encodedId)
    {
        await using var server = await MandateTestServer.StartAsync();
        using var admin = server.CreateAdminClient();

        var response = await admin.GetAsync(new Uri($"/v1/identities/{encodedId}/timeline", UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid-spiffe-id", (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Timeline_ShouldDecodeASpiffeId_AndListItsEvents()
    {
        await using var server = await MandateTestServer.StartAsync();
        using var admin = server.CreateAdminClient();
        const string id = "spiffe://demo.mandate.local/agent/support-assistant";
        await admin.PostAsJsonAsync("/v1/audit/events", new { subject = id, reason = "reviewed" }, Ct);

        var timeline = await admin.GetFromJsonAsync<JsonElement>($"/v1/identities/{Uri.EscapeDataString(id)}/timeline", Ct);

        Assert.Equal(id, timeline.GetProperty("identity").GetString());
        Assert.Contains(timeline.GetProperty("events").EnumerateArray(), e => e.TryGetProperty("reason", out var reason) && reason.GetString() == "reviewed");
    }

    [Fact]
    public async Task Startup_ShouldReportATamperedChainInReadyz_AndNotRepairIt_OnSqlite()
    {
        var state = Path.Combine(Path.GetTempPath(), "mandate-tests", Guid.NewGuid().ToString("N"));
        await using (var first = await MandateTestServer.StartAsync(o => o.StateDirectory = state))
        {
            using var admin = first.CreateAdminClient();
            for (var i = 0; i < 3; i++)
            {
                await admin.PostAsJsonAsync("/v1/audit/events", new { reason = "note " + i }, Ct);
            }
        }

        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(state, "mandate.db")};Pooling=False"))
        {
            await connection.OpenAsync(Ct);
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE audit_log SET reason = 'note 9' WHERE reason = 'note 1'";
            Assert.Equal(1, await command.ExecuteNonQueryAsync(Ct));
        }

        await AssertReportedAsBrokenAsync(o => o.StateDirectory = state);
    }

    [Fact]
    public async Task Startup_ShouldReportATamperedChainInReadyz_AndNotRepairIt_OnPostgres()
    {
        var connectionString = await PostgresTestDatabase.CreateSchemaAsync();
        // One state directory for both starts: it holds the key-encryption keys that unseal the store's keys.
        var state = Path.Combine(Path.GetTempPath(), "mandate-tests", Guid.NewGuid().ToString("N"));
        void Configure(MandateServerOptions o)
        {
            o.StateDirectory = state;
            o.Store = MandateTestServer.PostgresLocation(connectionString);
        }

        await using (var first = await MandateTestServer.StartAsync(Configure))
        {
            using var admin = first.CreateAdminClient();
            for (var i = 0; i < 3; i++)
            {
                await admin.PostAsJsonAsync("/v1/audit/events", new { reason = "note " + i }, Ct);
            }
        }

        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync(Ct);
            await using var command = new NpgsqlCommand("DELETE FROM audit_log WHERE reason = 'note 1'", connection);
            Assert.Equal(1, await command.ExecuteNonQueryAsync(Ct));
        }

        await AssertReportedAsBrokenAsync(Configure);
    }

    private static async Task AssertReportedAsBrokenAsync(Action<MandateServerOptions> configure)
    {
        await using var server = await MandateTestServer.StartAsync(configure);
        using var admin = server.CreateAdminClient();
        var ready = await admin.GetAsync(new Uri("/readyz", UriKind.Relative), Ct);
        var readyBody = await ready.Content.ReadAsStringAsync(Ct);
        var verify = await admin.GetFromJsonAsync<JsonElement>("/v1/audit/verify", Ct);
        var again = await admin.GetFromJsonAsync<JsonElement>("/v1/audit/verify", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("audit: the audit chain does not verify at event", readyBody, StringComparison.Ordinal);
        Assert.Equal("broken", verify.GetProperty("status").GetString());
        Assert.Equal(verify.GetProperty("failure").GetProperty("position").GetString(), again.GetProperty("failure").GetProperty("position").GetString());
    }
}
