using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mandate.Server.Tests.Infrastructure;
using Mandate.Tests.Shared;

namespace Mandate.Server.Tests.Governance;

/// <summary>Findings and the compliance report over HTTP on a PostgreSQL store: the set-based reads and the usage fold there.</summary>
public sealed class GovernancePostgresTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FindingsAndComplianceReport_ShouldWorkOnPostgres_AndAnUnchangedRecomputeShouldChangeNothing()
    {
        var connection = await PostgresTestDatabase.CreateSchemaAsync();
        await using var server = await MandateTestServer.StartAsync(o => o.Store = MandateTestServer.PostgresLocation(connection));
        using var admin = server.CreateAdminClient();

        var broad = await admin.GetFromJsonAsync<JsonElement>(new Uri("/v1/findings?kind=broad_policy", UriKind.Relative), Ct);
        Assert.Equal(3, broad.GetProperty("findings").GetArrayLength());
        Assert.Contains(
            (await admin.GetFromJsonAsync<JsonElement>(new Uri("/v1/findings?kind=stale", UriKind.Relative), Ct)).GetProperty("findings").EnumerateArray(),
            f => f.GetProperty("identity").GetString() == "arn:aws:iam::111122223333:user/svc-nightly-backup");

        using (var again = await admin.PostAsync(new Uri("/v1/findings/recompute", UriKind.Relative), null, Ct))
        {
            var result = JsonDocument.Parse(await again.Content.ReadAsStringAsync(Ct)).RootElement;
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            Assert.Equal((0, 0, 0), (result.GetProperty("opened").GetInt32(), result.GetProperty("reopened").GetInt32(), result.GetProperty("resolved").GetInt32()));
        }

        var report = await admin.GetFromJsonAsync<JsonElement>(new Uri("/v1/compliance/report", UriKind.Relative), Ct);
        var nhi7 = report.GetProperty("controls").EnumerateArray().Single(c => c.GetProperty("id").GetString() == "NHI7:2025");
        Assert.Contains("oldest active imported static secret", nhi7.GetProperty("measured").GetString(), StringComparison.Ordinal);
        Assert.Equal("met", report.GetProperty("controls").EnumerateArray().Single(c => c.GetProperty("id").GetString() == "RS.AN-06").GetProperty("status").GetString());
    }
}
