using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mandate.Core.Audit;
using Mandate.Core.Governance.Offboarding;
using Mandate.Server.Tests.Identity;
using Mandate.Server.Tests.Infrastructure;
using Mandate.Server.Tests.Operators;
using Mandate.Tests.Shared;
using Mandate.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Governance;

/// <summary>
/// Offboarding an owner over real HTTP, on SQLite and PostgreSQL: its identities offboarded with every credential and
/// join token revoked (or transferred with a review for the new owner), the owner departed so nothing new is
/// registered or imported for it, and a signed evidence pack whose every proof verifies offline with the ledger keys.
/// </summary>
public sealed class OffboardingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Offboarding_ShouldRevokeEverything_RefuseTheDepartedOwner_AndSignVerifiableEvidence_OnSqlite()
    {
        await using var server = await MandateTestServer.StartAsync();
        await ScenarioAsync(server);

        // An offboarding that stopped right after the departure is finished by running it again, under its first id.
        using var admin = server.CreateAdminClient();
        await RegisterAsync(admin, "spiffe://demo.mandate.local/half/x", "team:half", HttpStatusCode.Created);
        var store = server.Services.GetRequiredService<IMandateStore>();
        await using (var session = await store.BeginAsync(StoreIntent.Write, Ct))
        {
            await session.Get<IOffboardingRepository>().MarkDepartedAsync(new DepartedOwner("team:half", DateTimeOffset.UtcNow, "admin", "interrupted", "obd_interrupted"), Ct);
            await session.CommitAsync(Ct);
        }

        await RegisterAsync(admin, "spiffe://demo.mandate.local/half/y", "team:half", HttpStatusCode.Conflict, "owner-departed");
        var resumed = await admin.PostAsJsonAsync("/v1/offboardings", new { owner = "team:half", reason = "finish it" }, Ct);
        var text = await resumed.Content.ReadAsStringAsync(Ct);
        Assert.True(resumed.StatusCode == HttpStatusCode.Created, text);
        var pack = JsonDocument.Parse(text).RootElement;
        Assert.Equal("obd_interrupted", pack.GetProperty("id").GetString());
        Assert.Equal("offboarded", Assert.Single(pack.GetProperty("identities").EnumerateArray()).GetProperty("status").GetString());
        Assert.True(EvidenceVerifier.Verify(text, await KeysAsync(server)).Verified);
        await OperatorTestData.AssertProblemAsync(await admin.PostAsJsonAsync("/v1/offboardings", new { owner = "team:half", reason = "again" }, Ct), HttpStatusCode.Conflict, "owner-departed");
    }

    [Fact]
    public async Task OffboardedOwner_ShouldOrphanItsImportedIdentities_EvenWhenItsNameIsStillAnEnabledOperators()
    {
        // "dana" is an enabled operator and also owns a workload and an imported key. Offboarding the owner "dana" (she
        // left; her operator account is another matter) must make the imported key orphaned at once.
        await using var server = await MandateTestServer.StartAsync();
        using var admin = server.CreateAdminClient();
        (await OperatorTestData.AddWithTokenAsync(server, "dana", "auditor")).Client.Dispose();
        await RegisterAsync(admin, "spiffe://demo.mandate.local/dana/etl", "dana", HttpStatusCode.Created);
        using (var content = new StringContent("""{"identities":[{"source":"vault","external_id":"approle/dana-etl","owner":"dana"}]}""", Encoding.UTF8, "application/json"))
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync(new Uri("/v1/identities/import?format=json", UriKind.Relative), content, Ct)).StatusCode);
        }

        const string Orphaned = "/v1/findings?kind=orphaned&identity=approle%2Fdana-etl";
        Assert.Equal(0, (await admin.GetFromJsonAsync<JsonElement>(Orphaned, Ct)).GetProperty("findings").GetArrayLength());
        var offboarded = await admin.PostAsJsonAsync("/v1/offboardings", new { owner = "dana", reason = "left the company" }, Ct);
        Assert.True(offboarded.StatusCode == HttpStatusCode.Created, await offboarded.Content.ReadAsStringAsync(Ct));

        var finding = Assert.Single((await admin.GetFromJsonAsync<JsonElement>(Orphaned, Ct)).GetProperty("findings").EnumerateArray());
        Assert.Contains("has left", finding.GetProperty("summary").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Offboarding_ShouldRevokeEverything_RefuseTheDepartedOwner_AndSignVerifiableEvidence_OnPostgres()
    {
        var connection = await PostgresTestDatabase.CreateSchemaAsync();
        await using var server = await MandateTestServer.StartAsync(o => o.Store = MandateTestServer.PostgresLocation(connection));
        await ScenarioAsync(server);
    }

    private static async Task ScenarioAsync(MandateTestServer server)
    {
        using var admin = server.CreateAdminClient();
        using var security = (await OperatorTestData.AddWithTokenAsync(server, "ob-sec", "security")).Client;
        using var auditor = (await OperatorTestData.AddWithTokenAsync(server, "ob-aud", "auditor")).Client;
        using var reviewer = (await OperatorTestData.AddWithTokenAsync(server, "ob-rev", "reviewer")).Client;
        const string a = "spiffe://demo.mandate.local/leaving/a";
        const string b = "spiffe://demo.mandate.local/leaving/b";
        const string c = "spiffe://demo.mandate.local/moving/c";
        await RegisterAsync(admin, a, "team:leaving", HttpStatusCode.Created);
        await RegisterAsync(admin, b, "team:leaving", HttpStatusCode.Created);
        await RegisterAsync(admin, c, "team:moving", HttpStatusCode.Created);

        // A's task credential, B's join token.
        using var workload = IdentityTestData.WorkloadClient(server, IdentityTestData.MandateSvid(server, a));
        var opened = await workload.PostAsJsonAsync(
            "/v1/tasks",
            new { intent = new { description = "work", actions = new[] { "read" }, resources = new[] { "Ticket" }, sensitivity_ceiling = "low", destinations = Array.Empty<string>(), delegates = Array.Empty<string>() }, ttl_seconds = 600 },
            Ct);
        var task = await opened.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(opened.IsSuccessStatusCode, task.GetRawText());
        var jti = task.GetProperty("credential").GetProperty("jti").GetString()!;
        var accessToken = task.GetProperty("credential").GetProperty("access_token").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync("/v1/attest/join-tokens", new { spiffe_id = b, ttl_seconds = 600 }, Ct)).StatusCode);
        Assert.True(await ActiveAsync(admin, accessToken));
        var svidResponse = await workload.PostAsJsonAsync("/v1/svid/jwt", new { audience = "spiffe://demo.mandate.local/svc/reports" }, Ct);
        var svidBody = await svidResponse.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(svidResponse.IsSuccessStatusCode, svidBody.GetRawText());
        var svidPayload = svidBody.GetProperty("token").GetString()!.Split('.')[1];
        var svidJti = JsonDocument.Parse(Convert.FromBase64String(svidPayload.Replace('-', '+').Replace('_', '/').PadRight((svidPayload.Length + 3) / 4 * 4, '='))).RootElement.GetProperty("jti").GetString()!;

        // An identity imported for the team: a known owner now, orphaned once the team is gone.
        using (var content = new StringContent("""{"identities":[{"source":"vault","external_id":"approle/leaving-etl","owner":"team:leaving"}]}""", Encoding.UTF8, "application/json"))
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync(new Uri("/v1/identities/import?format=json", UriKind.Relative), content, Ct)).StatusCode);
        }

        Assert.Equal(0, (await admin.GetFromJsonAsync<JsonElement>("/v1/findings?kind=orphaned&identity=approle%2Fleaving-etl", Ct)).GetProperty("findings").GetArrayLength());

        await OperatorTestData.AssertProblemAsync(await auditor.PostAsJsonAsync("/v1/offboardings", new { owner = "team:leaving", reason = "x" }, Ct), HttpStatusCode.Forbidden, "forbidden");
        await OperatorTestData.AssertProblemAsync(await security.PostAsJsonAsync("/v1/offboardings", new { owner = "team:leaving" }, Ct), HttpStatusCode.BadRequest, "offboarding-invalid");
        await OperatorTestData.AssertProblemAsync(await security.PostAsJsonAsync("/v1/offboardings", new { owner = "team:nobody-at-all", reason = "typo" }, Ct), HttpStatusCode.BadRequest, "offboarding-invalid");

        var response = await security.PostAsJsonAsync("/v1/offboardings", new { owner = "team:leaving", reason = "team dissolved in the reorg" }, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        var pack = JsonDocument.Parse(text).RootElement;
        var id = pack.GetProperty("id").GetString()!;
        Assert.Equal("team:leaving", pack.GetProperty("owner").GetString());
        Assert.Equal("operator:ob-sec", pack.GetProperty("operator").GetString());
        Assert.Equal("team dissolved in the reorg", pack.GetProperty("reason").GetString());
        var identities = pack.GetProperty("identities").EnumerateArray().ToDictionary(i => i.GetProperty("id").GetString()!);
        Assert.Equal([a, b], identities.Keys.Order(StringComparer.Ordinal));
        Assert.All(identities.Values, i => Assert.Equal("offboarded", i.GetProperty("status").GetString()));
        var credential = Assert.Single(identities[a].GetProperty("credentials").EnumerateArray(), x => x.GetProperty("jti").GetString() == jti);
        Assert.Equal("revoked", credential.GetProperty("state").GetString());
        Assert.Equal(1, identities[b].GetProperty("join_tokens_revoked").GetInt32());
        var svid = Assert.Single(identities[a].GetProperty("credentials").EnumerateArray(), x => x.GetProperty("jti").GetString() == svidJti);
        Assert.Equal("svid", svid.GetProperty("kind").GetString());
        Assert.Equal("revoked", svid.GetProperty("state").GetString());
        Assert.NotNull((await admin.GetFromJsonAsync<JsonElement>("/v1/credentials/" + svidJti, Ct)).GetProperty("revoked_at").GetString());
        var ledgerTypes = pack.GetProperty("ledger").EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Contains("owner.departed", ledgerTypes);
        Assert.Contains("owner.offboarded", ledgerTypes);
        Assert.Contains("credential.revoked", ledgerTypes);
        var external = Assert.Single(pack.GetProperty("external_identities").EnumerateArray());
        Assert.Equal("approle/leaving-etl", external.GetProperty("id").GetString());
        Assert.Equal(1, (await admin.GetFromJsonAsync<JsonElement>("/v1/findings?kind=orphaned&identity=approle%2Fleaving-etl", Ct)).GetProperty("findings").GetArrayLength());
        Assert.Contains(pack.GetProperty("ledger").EnumerateArray(), e => e.GetProperty("seq").GetInt64() == credential.GetProperty("seq").GetInt64());

        // Offline check with the keys as /v1/audit/keys serves them.
        var keys = await KeysAsync(server);
        var verified = EvidenceVerifier.Verify(text, keys);
        Assert.True(verified.Verified, string.Join("; ", verified.Problems));

        // Revoked at once, and nothing new for the departed owner.
        Assert.False(await ActiveAsync(admin, accessToken));
        await RegisterAsync(admin, "spiffe://demo.mandate.local/leaving/new", "team:leaving", HttpStatusCode.Conflict, "owner-departed");
        using (var content = new StringContent("""{"identities":[{"source":"vault","external_id":"approle/leaving"}]}""", Encoding.UTF8, "application/json"))
        {
            await ProblemAssert.ProblemAsync(await admin.PostAsync(new Uri("/v1/identities/import?format=json&owner=team%3Aleaving", UriKind.Relative), content, Ct), HttpStatusCode.Conflict, "owner-departed");
        }

        await OperatorTestData.AssertProblemAsync(await security.PostAsJsonAsync("/v1/offboardings", new { owner = "team:leaving", reason = "again" }, Ct), HttpStatusCode.Conflict, "owner-departed");

        // A file row that would add an identity for the departed owner is refused with its line; the others go in.
        using (var content = new StringContent(
            "{\"identities\": [\n{\"source\": \"vault\", \"external_id\": \"approle/kept\", \"owner\": \"team:staying\"},\n{\"source\": \"vault\", \"external_id\": \"approle/sneaky\", \"owner\": \"team:leaving\"}\n]}",
            Encoding.UTF8,
            "application/json"))
        {
            var imported = await admin.PostAsync(new Uri("/v1/identities/import?format=json", UriKind.Relative), content, Ct);
            var report = await imported.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.True(imported.StatusCode == HttpStatusCode.OK, report.GetRawText());
            Assert.Equal(1, report.GetProperty("added").GetInt32());
            var error = Assert.Single(report.GetProperty("errors").EnumerateArray());
            Assert.Equal(3, error.GetProperty("line").GetInt64());
            Assert.Contains("team:leaving was offboarded", error.GetProperty("reason").GetString(), StringComparison.Ordinal);
        }

        // The pack again, byte for byte; the list; 404 for an unknown id.
        Assert.Equal(text, await auditor.GetStringAsync(new Uri($"/v1/offboardings/{id}", UriKind.Relative), Ct));
        Assert.Contains((await auditor.GetFromJsonAsync<JsonElement>("/v1/offboardings", Ct)).GetProperty("offboardings").EnumerateArray(), o => o.GetProperty("id").GetString() == id);
        await ProblemAssert.ProblemAsync(await auditor.GetAsync(new Uri("/v1/offboardings/obd_missing", UriKind.Relative), Ct), HttpStatusCode.NotFound, "offboarding-not-found");
        Assert.Equal("operator:ob-sec", Assert.Single(await OperatorTestData.EventsAsync(server, "owner.offboarded")).GetProperty("actor").GetString());

        // Any change to the pack is named.
        Assert.Contains(EvidenceVerifier.Verify(text.Replace("team dissolved", "team dissolves", StringComparison.Ordinal), keys).Problems, p => p.StartsWith("signature:", StringComparison.Ordinal));

        // A transfer: the identity stays active under its new owner, with a review for them.
        await OperatorTestData.AssertProblemAsync(await security.PostAsJsonAsync("/v1/offboardings", new { owner = "team:moving", reason = "x", transfer_to = "team:leaving" }, Ct), HttpStatusCode.Conflict, "owner-departed");
        var moved = await security.PostAsJsonAsync("/v1/offboardings", new { owner = "team:moving", reason = "merged into team:new", transfer_to = "team:new", reviewer = "ob-rev" }, Ct);
        var movedText = await moved.Content.ReadAsStringAsync(Ct);
        Assert.True(moved.StatusCode == HttpStatusCode.Created, movedText);
        var movedPack = JsonDocument.Parse(movedText).RootElement;
        var transferred = Assert.Single(movedPack.GetProperty("identities").EnumerateArray());
        Assert.Equal("transferred", transferred.GetProperty("disposition").GetString());
        Assert.Equal("active", transferred.GetProperty("status").GetString());
        Assert.Equal("team:new", transferred.GetProperty("owner").GetString());
        Assert.True(EvidenceVerifier.Verify(movedText, keys).Verified);
        var review = await reviewer.GetFromJsonAsync<JsonElement>("/v1/reviews/" + movedPack.GetProperty("review").GetString(), Ct);
        Assert.Equal("team:new", review.GetProperty("review").GetProperty("owner").GetString());
        Assert.Equal("operator:ob-rev", review.GetProperty("review").GetProperty("reviewer").GetString());
        Assert.Contains(review.GetProperty("items").EnumerateArray(), i => i.GetProperty("identity").GetString() == c && i.GetProperty("kind").GetString() == "identity");
        var shown = await admin.GetFromJsonAsync<JsonElement>("/v1/identities/demo.mandate.local/moving/c", Ct);
        Assert.Equal("team:new", shown.GetProperty("owner").GetString());
    }

    private static async Task RegisterAsync(HttpClient admin, string spiffeId, string owner, HttpStatusCode expected, string? code = null)
    {
        var response = await admin.PostAsJsonAsync("/v1/identities", new { spiffe_id = spiffeId, kind = "workload", owner, purpose = "offboarding tests", ttl_seconds = 86400 }, Ct);
        if (code is not null)
        {
            await ProblemAssert.ProblemAsync(response, expected, code);
            return;
        }

        Assert.True(response.StatusCode == expected, await response.Content.ReadAsStringAsync(Ct));
    }

    private static async Task<bool> ActiveAsync(HttpClient admin, string token)
    {
        using var form = new FormUrlEncodedContent([new KeyValuePair<string, string>("token", token)]);
        var response = await admin.PostAsync(new Uri("/oauth2/introspect", UriKind.Relative), form, Ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(response.IsSuccessStatusCode, body.GetRawText());
        return body.GetProperty("active").GetBoolean();
    }

    private static async Task<IReadOnlyList<AuditPublicKey>> KeysAsync(MandateTestServer server)
    {
        var keys = await server.Client.GetFromJsonAsync<JsonElement>("/v1/audit/keys", Ct);
        return [.. keys.GetProperty("keys").EnumerateArray().Select(AuditPublicKey.FromJwk)];
    }
}
