using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mandate.Server.Tests.Infrastructure;
using Mandate.Server.Tests.Operators;

namespace Mandate.Server.Tests.Governance;

/// <summary>The compliance report over real HTTP: every framework's rows, statuses that follow live state, formats and roles.</summary>
public sealed class ComplianceReportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<JsonElement> ReportAsync(HttpClient client) =>
        await client.GetFromJsonAsync<JsonElement>(new Uri("/v1/compliance/report", UriKind.Relative), Ct);

    private static JsonElement Row(JsonElement report, string id) =>
        report.GetProperty("controls").EnumerateArray().Single(c => c.GetProperty("id").GetString() == id);

    [Fact]
    public async Task Report_ShouldCoverEveryFramework_WithStatusesThatFollowLiveState()
    {
        await using var server = await MandateTestServer.StartAsync();
        var (auditor, _, _) = await OperatorTestData.AddWithTokenAsync(server, "compliance-auditor", "auditor");
        using (auditor)
        {
            var report = await ReportAsync(auditor);
            var ids = report.GetProperty("controls").EnumerateArray().Select(c => c.GetProperty("id").GetString()).ToList();
            foreach (var expected in Enumerable.Range(1, 10).Select(i => $"NHI{i}:2025").Concat(Enumerable.Range(1, 10).Select(i => $"ASI{i:D2}"))
                         .Concat(["PR.AA-01", "PR.AA-05", "DE.CM-03", "DE.CM-09", "RS.MI-01", "RS.AN-06", "Tenet 1", "Tenet 7", "GOVERN", "MAP", "MEASURE", "MANAGE", "L1", "L7"]))
            {
                Assert.Contains(expected, ids);
            }

            Assert.All(report.GetProperty("controls").EnumerateArray(), c => Assert.Contains(c.GetProperty("status").GetString(), new[] { "met", "partial", "not_met", "not_measured" }));
            Assert.Equal(ids.Count, report.GetProperty("summary").EnumerateObject().Sum(p => p.Value.GetInt32()));

            // The demo's policies have three broad write permits (support-mcp-write-in-write-task: any MCP tool, narrowed
            // at run time by the task intent): over-privilege is not met, and says why.
            var nhi5 = Row(report, "NHI5:2025");
            Assert.Equal("not_met", nhi5.GetProperty("status").GetString());
            Assert.Contains("broad_policy 3", nhi5.GetProperty("measured").GetString(), StringComparison.Ordinal);
            Assert.Equal("met", Row(report, "RS.AN-06").GetProperty("status").GetString());
            Assert.Equal("not_measured", Row(report, "L1").GetProperty("status").GetString());
            Assert.Contains(Row(report, "NHI5:2025").GetProperty("evidence").EnumerateArray(), e => e.GetProperty("ref").GetString() == "/v1/findings?kind=broad_policy");

            // The facts the statuses come from are in the report too.
            var measured = report.GetProperty("measurements");
            Assert.Equal(3, measured.GetProperty("open_findings").GetProperty("broad_policy").GetInt32());
            Assert.True(measured.GetProperty("ledger_verified").GetBoolean());
            Assert.Equal(11, measured.GetProperty("detection_rules_enabled").GetArrayLength());
            Assert.Equal(3600, measured.GetProperty("task_credential_max_lifetime_seconds").GetInt64());
        }

        // Accepting both broad_policy findings makes the measurement change with the state.
        using var admin = server.CreateAdminClient();
        var broad = (await admin.GetFromJsonAsync<JsonElement>(new Uri("/v1/findings?kind=broad_policy", UriKind.Relative), Ct)).GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("id").GetString()).ToList();
        foreach (var id in broad)
        {
            using var accepted = await admin.PostAsJsonAsync(new Uri($"/v1/findings/{id}/accept", UriKind.Relative), new { reason = "billing writes every invoice by design", until = DateTimeOffset.UtcNow.AddDays(30) }, Ct);
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        var after = Row(await ReportAsync(admin), "NHI5:2025");
        Assert.Equal("met", after.GetProperty("status").GetString());
        Assert.Contains("broad_policy 0", after.GetProperty("measured").GetString(), StringComparison.Ordinal);

        // An imported identity without owner lowers the share of owned identities.
        var before = Row(await ReportAsync(admin), "PR.AA-01").GetProperty("measured").GetString();
        using (var content = new StringContent("""{"identities":[{"source":"vault","external_id":"approle/unowned"}]}""", Encoding.UTF8, "application/json"))
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync(new Uri("/v1/identities/import?format=json", UriKind.Relative), content, Ct)).StatusCode);
        }

        var prAa01 = Row(await ReportAsync(admin), "PR.AA-01");
        Assert.NotEqual(before, prAa01.GetProperty("measured").GetString());
        Assert.Equal("not_met", prAa01.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Report_ShouldRenderMarkdownAndHtml_RefuseAnUnknownFormat_AndNeedACaller()
    {
        await using var server = await MandateTestServer.StartAsync();
        using var admin = server.CreateAdminClient();
        using (var md = await admin.GetAsync(new Uri("/v1/compliance/report?format=md", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, md.StatusCode);
            Assert.Equal("text/markdown", md.Content.Headers.ContentType!.MediaType);
            var text = await md.Content.ReadAsStringAsync(Ct);
            Assert.Contains("## OWASP Non-Human Identities Top 10 (2025)", text, StringComparison.Ordinal);
            Assert.Contains("| NHI1:2025 | Improper Offboarding |", text, StringComparison.Ordinal);
            Assert.Contains("## Measured now", text, StringComparison.Ordinal);
            Assert.Contains("- open findings: no_owner 3,", text, StringComparison.Ordinal);
        }

        using (var html = await admin.GetAsync(new Uri("/v1/compliance/report?format=html", UriKind.Relative), Ct))
        {
            Assert.Equal("text/html", html.Content.Headers.ContentType!.MediaType);
            var text = await html.Content.ReadAsStringAsync(Ct);
            Assert.StartsWith("<!DOCTYPE html>", text, StringComparison.Ordinal);
            Assert.Contains("<td>ASI03</td>", text, StringComparison.Ordinal);
            Assert.DoesNotContain("<script", text, StringComparison.OrdinalIgnoreCase);
        }

        await ProblemAssert.ProblemAsync(await admin.GetAsync(new Uri("/v1/compliance/report?format=pdf", UriKind.Relative), Ct), HttpStatusCode.BadRequest, "invalid-request");
        using var anonymous = new HttpClient { BaseAddress = server.Address };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri("/v1/compliance/report", UriKind.Relative), Ct)).StatusCode);
    }
}
