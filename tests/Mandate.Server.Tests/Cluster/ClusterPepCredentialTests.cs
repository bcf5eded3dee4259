using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mandate.Server.Tests.Tasks;
using static Mandate.Server.Tests.Cluster.ClusterNodes;

namespace Mandate.Server.Tests.Cluster;

/// <summary>
/// An issued PEP credential revoked through one node is refused by another at its very next decision, with no wait:
/// on a shared store a node does not remember PEP credentials it has looked up (it does on SQLite, where every
/// revocation passes through it), so nothing can keep a revoked credential alive there.
/// </summary>
public sealed class ClusterPepCredentialTests
{
    [Fact]
    public async Task PepCredentialRevokedOnNodeA_ShouldBeRefusedAtNodeB_AtItsNextDecision()
    {
        var ct = TestContext.Current.CancellationToken;
        var connection = await PostgresTestDatabase.CreateSchemaAsync();
        var state = NewStateDirectory();
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var a = await StartAsync(connection, state, clock);
        await using var b = await StartAsync(connection, state, clock);

        using var issued = await a.Admin.PostAsJsonAsync("/v1/pep-credentials", new { name = "edge" }, ct);
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        var body = await issued.Content.ReadFromJsonAsync<JsonElement>(ct);
        var token = body.GetProperty("token").GetString()!;
        var id = body.GetProperty("id").GetString()!;

        using var pep = new HttpClient { BaseAddress = b.Server.Address };
        pep.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        const string Evaluation = "{\"subject\":{\"type\":\"Workload\",\"id\":\"" + TaskEstate.Agent + "\"},\"action\":{\"name\":\"read\"},\"resource\":{\"type\":\"Ticket\",\"id\":\"T-1\"}}";
        for (var i = 0; i < 3; i++)
        {
            using var answered = await pep.PostAsync("/access/v1/evaluation", new StringContent(Evaluation, Encoding.UTF8, "application/json"), ct);
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        }

        using (var revoked = await a.Admin.PostAsJsonAsync($"/v1/pep-credentials/{id}/revoke", new { reason = "retired" }, ct))
        {
            Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        }

        using var refused = await pep.PostAsync("/access/v1/evaluation", new StringContent(Evaluation, Encoding.UTF8, "application/json"), ct);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }
}
