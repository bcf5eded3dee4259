using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mandate.Server.Tests.Infrastructure;
using Mandate.Server.Tests.Operators;
using Mandate.Tests.Shared;

namespace Mandate.Server.Tests.Governance;

/// <summary>Inventory import over real HTTP: parsing, idempotent upsert, dry runs, row errors, roles, limits and the ledger.</summary>
public sealed class InventoryImportTests(InventoryImportTests.Fixture fixture) : IClassFixture<InventoryImportTests.Fixture>
{
    private const string Header = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

    private MandateTestServer server => fixture.Server;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class Fixture : IAsyncLifetime
    {
        internal MandateTestServer Server { get; private set; } = null!;

        public async ValueTask InitializeAsync() => Server = await MandateTestServer.StartAsync();

        public async ValueTask DisposeAsync() => await Server.DisposeAsync();
    }

    private static string Report(string account, string lastUsed = "2026-11-20T10:00:00+00:00") => string.Join('\n',
        Header,
        $"<root_account>,arn:aws:iam::{account}:root,2019-03-04T08:00:00+00:00,not_supported,2026-11-30T10:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
        $"frank.console,arn:aws:iam::{account}:user/frank.console,2021-06-01T12:00:00+00:00,true,2026-12-01T09:30:00+00:00,2026-09-01T09:30:00+00:00,N/A,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
        $"svc-archiver,arn:aws:iam::{account}:user/svc-archiver,2022-01-10T07:15:42+00:00,false,N/A,N/A,N/A,false,true,2025-02-01T07:15:42+00:00,{lastUsed},us-west-2,glacier,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
        $"svc-mailer,arn:aws:iam::{account}:user/svc-mailer,2023-08-08T08:08:08+00:00,false,N/A,N/A,N/A,false,true,2026-10-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
        $"svc-broken,arn:aws:iam::{account}:user/svc-broken,not-a-time,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
        string.Empty);

    private static async Task<HttpResponseMessage> ImportAsync(HttpClient client, string body, string query, string contentType = "text/csv")
    {
        using var content = new StringContent(body, Encoding.UTF8, contentType);
        return await client.PostAsync(new Uri("/v1/identities/import?" + query, UriKind.Relative), content, Ct);
    }

    private static async Task<JsonElement> OkAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, text);
            return JsonDocument.Parse(text).RootElement.Clone();
        }
    }

    [Fact]
    public async Task CredentialReport_ShouldImportMachineUsers_SkipPeople_ReportBadRows_AndRecordOneLedgerEvent()
    {
        var report = Report("444455556666");
        using var admin = server.CreateAdminClient();
        var result = await OkAsync(await ImportAsync(admin, report, "format=aws-credential-report&owner=team:cloud&file_name=/home/ops/report.csv"));
        Assert.Equal(2, result.GetProperty("added").GetInt32());
        Assert.Equal(2, result.GetProperty("skipped_humans").GetInt32());
        var error = Assert.Single(result.GetProperty("errors").EnumerateArray());
        Assert.Equal(6, error.GetProperty("line").GetInt64());
        Assert.Contains("user_creation_time", error.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal("report.csv", result.GetProperty("file").GetString());

        var listed = await admin.GetFromJsonAsync<JsonElement>(new Uri("/v1/inventory?source=aws&prefix=arn:aws:iam::444455556666:", UriKind.Relative), Ct);
        var entries = listed.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(["arn:aws:iam::444455556666:user/svc-archiver", "arn:aws:iam::444455556666:user/svc-mailer"], entries.Select(e => e.GetProperty("external_id").GetString()));
        var key = Assert.Single(entries[0].GetProperty("credentials").EnumerateArray());
        Assert.Equal("access_key_1", key.GetProperty("slot").GetString());
        Assert.Equal("glacier", key.GetProperty("last_used_service").GetString());
        Assert.Equal("team:cloud", entries[0].GetProperty("owner").GetString());

        var imported = Assert.Single(await OperatorTestData.EventsAsync(server, "inventory.imported"), e => e.GetProperty("details").GetProperty("sha256").GetString() == Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(report))));
        Assert.Equal("admin", imported.GetProperty("actor").GetString());
        Assert.Equal("2", imported.GetProperty("details").GetProperty("added").GetString());
        Assert.Equal(result.GetProperty("ledger_sequence").GetInt64(), imported.GetProperty("seq").GetInt64());
        Assert.Equal(2, (await OperatorTestData.EventsAsync(server, "inventory.identity.added")).Count(e => e.GetProperty("subject").GetString()!.Contains("444455556666", StringComparison.Ordinal)));

        // The ledger holds the file's name and digest, never its content: the skipped person is nowhere in it.
        var ledger = string.Join('\n', await OperatorTestData.LedgerAsync(server));
        Assert.DoesNotContain("frank.console", ledger, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reimport_ShouldBeIdempotent_AndDryRunShouldShowTheDiffWithoutWriting()
    {
        using var admin = server.CreateAdminClient();
        await OkAsync(await ImportAsync(admin, Report("777788889999"), "format=aws-credential-report"));
        var again = await OkAsync(await ImportAsync(admin, Report("777788889999"), "format=aws-credential-report"));
        Assert.Equal(0, again.GetProperty("added").GetInt32());
        Assert.Equal(0, again.GetProperty("changed").GetInt32());
        Assert.Equal(2, again.GetProperty("unchanged").GetInt32());
        Assert.Empty(again.GetProperty("changes").EnumerateArray());

        var changedReport = Report("777788889999", lastUsed: "2026-12-01T11:00:00+00:00");
        var dry = await OkAsync(await ImportAsync(admin, changedReport, "format=aws-credential-report&dry_run=true"));
        Assert.True(dry.GetProperty("dry_run").GetBoolean());
        Assert.False(dry.TryGetProperty("ledger_sequence", out _));
        var change = Assert.Single(dry.GetProperty("changes").EnumerateArray());
        Assert.Equal("changed", change.GetProperty("outcome").GetString());
        Assert.Equal(["credentials.access_key_1.last_used_at"], change.GetProperty("fields").EnumerateArray().Select(f => f.GetString()));
        var stored = await admin.GetFromJsonAsync<JsonElement>(new Uri("/v1/inventory?prefix=arn:aws:iam::777788889999:user/svc-archiver", UriKind.Relative), Ct);
        Assert.StartsWith("2026-11-20T10:00:00", stored.GetProperty("entries")[0].GetProperty("credentials")[0].GetProperty("last_used_at").GetString(), StringComparison.Ordinal);

        var applied = await OkAsync(await ImportAsync(admin, changedReport, "format=aws-credential-report"));
        Assert.Equal(1, applied.GetProperty("changed").GetInt32());
        var events = (await OperatorTestData.EventsAsync(server, "inventory.identity.changed")).Where(e => e.GetProperty("subject").GetString()!.Contains("777788889999", StringComparison.Ordinal)).ToList();
        Assert.Equal("credentials.access_key_1.last_used_at", Assert.Single(events).GetProperty("details").GetProperty("fields").GetString());
    }

    [Fact]
    public async Task ServiceAccounts_ShouldImportWithTheOwnerAnnotation()
    {
        const string list = """
            {"apiVersion": "v1", "kind": "List", "items": [
              {"kind": "ServiceAccount", "metadata": {"name": "api", "namespace": "orders", "creationTimestamp": "2024-05-05T05:05:05Z", "annotations": {"corp.example/owner": "team:orders"}}},
              {"kind": "ServiceAccount", "metadata": {"name": "worker", "namespace": "orders", "labels": {"corp.example/owner": "team:jobs"}}},
              {"kind": "ServiceAccount", "metadata": {"name": "default", "namespace": "orders"}}
            ]}
            """;
        using var admin = server.CreateAdminClient();
        var result = await OkAsync(await ImportAsync(admin, list, "format=k8s-serviceaccounts&owner_annotation=corp.example/owner", "application/json"));
        Assert.Equal(3, result.GetProperty("added").GetInt32());
        var listed = await admin.GetFromJsonAsync<JsonElement>(new Uri("/v1/inventory?source=k8s&prefix=orders/", UriKind.Relative), Ct);
        var owners = listed.GetProperty("entries").EnumerateArray().ToDictionary(e => e.GetProperty("external_id").GetString()!, e => e.TryGetProperty("owner", out var o) ? o.GetString() : null);
        Assert.Equal("team:orders", owners["orders/api"]);
        Assert.Equal("team:jobs", owners["orders/worker"]);
        Assert.Null(owners["orders/default"]);
    }

    [Fact]
    public async Task Import_ShouldNeedTheSecurityRole()
    {
        using (var anonymous = new HttpClient { BaseAddress = server.Address })
        using (var response = await ImportAsync(anonymous, Report("121212121212"), "format=aws-credential-report"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        var (auditor, _, _) = await OperatorTestData.AddWithTokenAsync(server, "inventory-auditor", "auditor");
        using (auditor)
        {
            await OperatorTestData.AssertProblemAsync(await ImportAsync(auditor, Report("121212121212"), "format=aws-credential-report"), HttpStatusCode.Forbidden, "forbidden");
            Assert.Equal(HttpStatusCode.OK, (await auditor.GetAsync(new Uri("/v1/inventory", UriKind.Relative), Ct)).StatusCode);
        }

        var (security, _, _) = await OperatorTestData.AddWithTokenAsync(server, "inventory-security", "security");
        using (security)
        {
            await OkAsync(await ImportAsync(security, Report("121212121212"), "format=aws-credential-report"));
        }

        var imported = (await OperatorTestData.EventsAsync(server, "inventory.imported")).Last();
        Assert.Equal("operator:inventory-security", imported.GetProperty("actor").GetString());
    }

    [Fact]
    public async Task Import_ShouldRefuseAnUnknownFormat_AnEmptyBody_AndABodyOverTheLimit()
    {
        using var admin = server.CreateAdminClient();
        await ProblemAssert.ProblemAsync(await ImportAsync(admin, "x", "format=xlsx"), HttpStatusCode.BadRequest, "invalid-request");
        await ProblemAssert.ProblemAsync(await ImportAsync(admin, string.Empty, "format=csv"), HttpStatusCode.BadRequest, "invalid-request");
        await ProblemAssert.ProblemAsync(await ImportAsync(admin, "x", "format=csv&dry_run=maybe"), HttpStatusCode.BadRequest, "invalid-request");

        // Declared over the limit: refused before a byte is read (Expect: 100-continue lets the client hear it first).
        using var big = new ByteArrayContent(new byte[(64 * 1024 * 1024) + 1]);
        big.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/v1/identities/import?format=csv", UriKind.Relative)) { Content = big };
        request.Headers.ExpectContinue = true;
        await ProblemAssert.ProblemAsync(await admin.SendAsync(request, Ct), HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
    }

    [Fact]
    public async Task Demo_ShouldHoldTheImportedCredentialReport()
    {
        using var admin = server.CreateAdminClient();
        var listed = await admin.GetFromJsonAsync<JsonElement>(new Uri("/v1/inventory?source=aws&prefix=arn:aws:iam::111122223333:", UriKind.Relative), Ct);
        var ids = listed.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("external_id").GetString()).ToList();
        Assert.Equal(3, ids.Count);
        Assert.DoesNotContain("arn:aws:iam::111122223333:user/dana.ops", ids);
        Assert.All(listed.GetProperty("entries").EnumerateArray(), e => Assert.False(e.TryGetProperty("owner", out _)));
    }
}
