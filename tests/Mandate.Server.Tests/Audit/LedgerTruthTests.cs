using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mandate.Core.Credentials;
using Mandate.Server.Tests.Infrastructure;
using Mandate.Server.Tests.Tasks;
using Microsoft.Extensions.DependencyInjection;
using static Mandate.Server.Tests.Decisions.AuthZenHttp;

namespace Mandate.Server.Tests.Audit;

/// <summary>
/// The ledger alone tells who held which credential, when each was revoked and why, and how each was used: every
/// revoked credential is found by its jti (query, identity timeline, export), and uses are hash-chained events.
/// </summary>
public sealed class LedgerTruthTests
{
    private const int Exchanges = 16;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ClosingATask_ShouldLeaveEachOfItsSeventeenRevokedCredentialsFindableByJti_InQueryTimelineAndExport()
    {
        await using var estate = await TaskEstate.StartAsync();
        var (taskId, taskToken, taskJti) = await estate.OpenAsync();
        var jtis = new List<string> { taskJti };
        for (var i = 0; i < Exchanges; i++)
        {
            using var exchange = await estate.ExchangeAsync(taskToken, TaskEstate.SubAgent, scope: "read");
            var body = JsonDocument.Parse(await exchange.Content.ReadAsStringAsync(Ct)).RootElement;
            Assert.True(exchange.StatusCode == HttpStatusCode.OK, body.ToString());
            jtis.Add(TaskEstate.Claims(body.GetProperty("access_token").GetString()!).GetProperty("jti").GetString()!);
        }

        using var agent = estate.As(TaskEstate.Agent);
        using (var complete = await agent.PostAsync($"/v1/tasks/{taskId}/complete", null, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, complete.StatusCode);
            Assert.Equal(17, JsonDocument.Parse(await complete.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("revoked_credentials").GetInt32());
        }

        string? revocationId = null;
        foreach (var jti in jtis)
        {
            var found = await estate.Admin.GetFromJsonAsync<JsonElement>($"/v1/audit/events?jti={jti}&type=credential.revoked", Ct);
            var revoked = Assert.Single(found.GetProperty("events").EnumerateArray());
            Assert.Equal(jti, revoked.GetProperty("jti").GetString());
            Assert.Equal(taskId, revoked.GetProperty("task_id").GetString());
            Assert.Equal(TaskEstate.Agent, revoked.GetProperty("subject").GetString());
            Assert.Equal("task:" + taskId, revoked.GetProperty("details").GetProperty("cause").GetString());
            Assert.Equal("17", revoked.GetProperty("details").GetProperty("count").GetString());
            var id = revoked.GetProperty("details").GetProperty("revocation_id").GetString();
            Assert.Equal(revocationId ??= id, id);
            if (jti == taskJti)
            {
                Assert.False(revoked.GetProperty("details").TryGetProperty("cause_jti", out _));
            }
            else
            {
                Assert.Equal(taskJti, revoked.GetProperty("details").GetProperty("cause_jti").GetString());
            }
        }

        var timeline = await estate.Admin.GetFromJsonAsync<JsonElement>("/v1/identities/" + Uri.EscapeDataString(TaskEstate.Agent) + "/timeline", Ct);
        var credentials = timeline.GetProperty("credentials").EnumerateArray().ToDictionary(c => c.GetProperty("jti").GetString()!);
        Assert.Equal(jtis.Order(StringComparer.Ordinal), credentials.Keys.Order(StringComparer.Ordinal));
        Assert.All(credentials.Values, c => Assert.True(c.TryGetProperty("revoked_at", out var at) && at.ValueKind == JsonValueKind.String, c.GetProperty("jti").GetString() + " shows as not revoked"));

        var export = await estate.Admin.GetStringAsync("/v1/audit/export", Ct);
        var exportedRevocations = export.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Where(line => line.GetProperty("kind").GetString() == "event")
            .Select(line => line.GetProperty("event"))
            .Where(e => e.GetProperty("type").GetString() == "credential.revoked")
            .Select(e => e.GetProperty("jti").GetString())
            .ToList();
        Assert.Equal(jtis.Order(StringComparer.Ordinal), exportedRevocations.Order(StringComparer.Ordinal));
        Assert.Equal("verified", (await estate.Admin.GetFromJsonAsync<JsonElement>("/v1/audit/verify", Ct)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task RevokingAnIdentity_ShouldRecordOneEventPerCredential_AndOneEventWhenNothingWasLeftToRevoke()
    {
        await using var estate = await TaskEstate.StartAsync();
        var (_, first, firstJti) = await estate.OpenAsync();
        var (_, _, secondJti) = await estate.OpenAsync();
        using var exchange = await estate.ExchangeAsync(first, TaskEstate.SubAgent);
        var derivedJti = TaskEstate.Claims(JsonDocument.Parse(await exchange.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("access_token").GetString()!).GetProperty("jti").GetString()!;

        using (var revoke = await estate.Admin.PostAsJsonAsync("/v1/revocations", new { target_kind = "identity", target = TaskEstate.Agent, reason = "key leaked" }, Ct))
        {
            Assert.Equal(HttpStatusCode.Created, revoke.StatusCode);
        }

        foreach (var jti in new[] { firstJti, secondJti, derivedJti })
        {
            var found = await estate.Admin.GetFromJsonAsync<JsonElement>($"/v1/audit/events?jti={jti}&type=credential.revoked", Ct);
            var revoked = Assert.Single(found.GetProperty("events").EnumerateArray());
            Assert.Equal("key leaked", revoked.GetProperty("reason").GetString());
            Assert.Equal("identity:" + TaskEstate.Agent, revoked.GetProperty("details").GetProperty("cause").GetString());
        }

        // Again: nothing is left to revoke, and the request is still on record (without a jti).
        using (var again = await estate.Admin.PostAsJsonAsync("/v1/revocations", new { target_kind = "identity", target = TaskEstate.Agent }, Ct))
        {
            Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        }

        var all = await estate.Admin.GetFromJsonAsync<JsonElement>("/v1/audit/events?type=credential.revoked", Ct);
        var empty = Assert.Single(all.GetProperty("events").EnumerateArray(), e => e.GetProperty("details").GetProperty("count").GetString() == "0");
        Assert.False(empty.TryGetProperty("jti", out _));
        Assert.Equal(4, all.GetProperty("events").GetArrayLength());
    }

    [Fact]
    public async Task CredentialUses_ShouldBeChainedAsOneEventPerCredentialAndWindow_NamingEverySource()
    {
        await using var estate = await TaskEstate.StartAsync(
            o =>
            {
                o.DataDirectory = null;
                o.Demo = true;
            },
            b =>
            {
                TestPep.Configure(b);
                b.Services.PostConfigure<RevocationSyncOptions>(o => o.UseFlushInterval = TimeSpan.FromMilliseconds(200));
            });
        var (taskId, token, jti) = await estate.OpenAsync(TaskEstate.Agent, new
        {
            description = "Answer ticket T-1001",
            actions = new[] { "read", "write" },
            resources = new[] { "Ticket", "Dataset" },
            sensitivity_ceiling = "medium",
            destinations = Array.Empty<string>(),
            delegates = Array.Empty<string>(),
        });
        var json = "{\"subject\":{\"type\":\"Workload\",\"id\":\"" + TaskEstate.Agent + "\"},\"action\":{\"name\":\"read\"},"
            + "\"resource\":{\"type\":\"Dataset\",\"id\":\"customer-profiles\"},\"context\":{\"credential\":\"" + token + "\"}}";
        using var pep = TestPep.CreateClient(estate.Server);
        Assert.Equal(200, (await PostAsync(pep, "/access/v1/evaluation", json)).Status);
        Assert.Equal(200, (await PostAsync(pep, "/access/v1/evaluation", json)).Status);
        Assert.Equal(200, (await PostAsync(estate.Server.Client, "/access/v1/evaluation", json)).Status);

        // Written by the flush service on its own timer, not by the test: a window may end between two of the calls.
        var used = await WaitForUsesAsync(estate, jti, 3);
        Assert.All(used, window =>
        {
            Assert.Equal(TaskEstate.Agent, window.GetProperty("subject").GetString());
            Assert.Equal(taskId, window.GetProperty("task_id").GetString());
            Assert.Equal("system", window.GetProperty("actor").GetString());
            var details = window.GetProperty("details");
            Assert.True(DateTimeOffset.Parse(details.GetProperty("first_used_at").GetString()!, System.Globalization.CultureInfo.InvariantCulture)
                <= DateTimeOffset.Parse(details.GetProperty("last_used_at").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        });
        Assert.Equal(
            ["authzen:127.0.0.1", "authzen:pep:test-pep@127.0.0.1"],
            used.SelectMany(w => w.GetProperty("details").GetProperty("sources").GetString()!.Split(' ')).Distinct().Order(StringComparer.Ordinal));

        // A later window is a new event; the credential's counters agree with the sum of the chained windows.
        var windows = used.Count;
        Assert.Equal(200, (await PostAsync(pep, "/access/v1/evaluation", json)).Status);
        used = await WaitForUsesAsync(estate, jti, 4);
        var last = Assert.Single(used.Skip(windows));
        Assert.Equal("1", last.GetProperty("details").GetProperty("count").GetString());
        Assert.Equal("authzen:pep:test-pep@127.0.0.1", last.GetProperty("details").GetProperty("sources").GetString());
        var credential = await estate.Admin.GetFromJsonAsync<JsonElement>($"/v1/credentials/{jti}", Ct);
        Assert.Equal(4, credential.GetProperty("usage").GetProperty("count").GetInt64());
        Assert.Equal("verified", (await estate.Admin.GetFromJsonAsync<JsonElement>("/v1/audit/verify", Ct)).GetProperty("status").GetString());

        var timeline = await estate.Admin.GetFromJsonAsync<JsonElement>("/v1/identities/" + Uri.EscapeDataString(TaskEstate.Agent) + "/timeline", Ct);
        var held = Assert.Single(timeline.GetProperty("credentials").EnumerateArray(), c => c.GetProperty("jti").GetString() == jti);
        Assert.Equal(used.Count, held.GetProperty("uses").EnumerateArray().Count(u => u.GetProperty("type").GetString() == "credential.used"));
    }

    [Fact]
    public async Task AFailedFlush_ShouldKeepTheUsesForTheNextWindow_AndChainThemOnce()
    {
        await using var estate = await TaskEstate.StartAsync();
        var (_, token, jti) = await estate.OpenAsync();
        var verifier = estate.Server.Services.GetRequiredService<ICredentialVerifier>();
        var recorder = estate.Server.Services.GetRequiredService<CredentialUseRecorder>();
        await verifier.VerifyAsync(new CredentialPresentation(token) { Source = "pep a" }, Ct);

        using (var cancelled = new CancellationTokenSource())
        {
            await cancelled.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => recorder.FlushAsync(cancelled.Token));
        }

        await verifier.VerifyAsync(new CredentialPresentation(token) { Source = "pep-b" }, Ct);
        await recorder.FlushAsync(Ct);

        var found = await estate.Admin.GetFromJsonAsync<JsonElement>($"/v1/audit/events?jti={jti}&type=credential.used", Ct);
        var window = Assert.Single(found.GetProperty("events").EnumerateArray());
        Assert.Equal("2", window.GetProperty("details").GetProperty("count").GetString());
        Assert.Equal("pep-b pep_a", window.GetProperty("details").GetProperty("sources").GetString());
    }

    /// <summary>The <c>credential.used</c> events of <paramref name="jti"/> once their counts add up to <paramref name="uses"/>.</summary>
    private static async Task<List<JsonElement>> WaitForUsesAsync(TaskEstate estate, string jti, int uses)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var found = await estate.Admin.GetFromJsonAsync<JsonElement>($"/v1/audit/events?jti={jti}&type=credential.used", Ct);
            var events = found.GetProperty("events").EnumerateArray().Select(e => e.Clone()).ToList();
            var counted = events.Sum(e => int.Parse(e.GetProperty("details").GetProperty("count").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
            if (counted >= uses || DateTime.UtcNow > deadline)
            {
                Assert.Equal(uses, counted);
                return events;
            }

            await Task.Delay(100, Ct);
        }
    }
}
