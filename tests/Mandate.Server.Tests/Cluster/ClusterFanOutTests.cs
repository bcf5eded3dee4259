using System.Net.Http.Json;
using System.Text.Json;
using Mandate.Core.Detection;
using Mandate.Core.Identity.Inventory;
using Mandate.Core.Identity.Keys;
using Mandate.Core.Storage;
using Mandate.Server.Tests.Tasks;
using Microsoft.Extensions.DependencyInjection;
using static Mandate.Server.Tests.Cluster.ClusterNodes;

namespace Mandate.Server.Tests.Cluster;

/// <summary>
/// Two nodes on one PostgreSQL schema: what an operator or detection changes on one node (an identity's status, a key
/// rotation, an identity's risk) is enforced by the other through its announcement, well before any periodic reload
/// (those are minutes away here); and a node that missed the announcements catches up when its listeners reconnect.
/// </summary>
public sealed class ClusterFanOutTests
{
    private const string Node2 = "mandate-node-b";

    [Fact]
    public async Task SuspensionAndRisk_OnNodeA_ShouldBeEnforcedAtNodeB()
    {
        var ct = TestContext.Current.CancellationToken;
        var connection = await PostgresTestDatabase.CreateSchemaAsync();
        var state = NewStateDirectory();
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var a = await StartAsync(connection, state, clock);
        await using var b = await StartAsync(connection, state, clock);
        await b.Server.Services.GetRequiredService<IdentityDirectorySync>().Listening.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
        await b.Server.Services.GetRequiredService<RiskSync>().Listening.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);

        var (_, credential, _) = await a.OpenAsync();
        Assert.True((await DecideAsync(b, credential)).Decision, "node B refused a credential node A issued");

        // The agent is suspended through node A's API: node B refuses its credential at its next decision.
        await PostOkAsync(a.Admin, "/v1/identities/suspend", new { spiffe_id = TaskEstate.Agent, reason = "incident 42" });
        await WaitForDecisionAsync(b, credential, expected: false, "suspension on A, decision on B");
        await PostOkAsync(a.Admin, "/v1/identities/reactivate", new { spiffe_id = TaskEstate.Agent, reason = "cleared" });
        await WaitForDecisionAsync(b, credential, expected: true, "reactivation on A, decision on B");

        // Risk raised on node A as detection raises it (stored in the transaction of its cause), then cleared through
        // node A's API: node B's context.risk follows both.
        var store = a.Server.Services.GetRequiredService<IMandateStore>();
        await using (var session = await store.BeginAsync(StoreIntent.Write, ct))
        {
            await session.Get<IDetectionRepository>().SetRiskAsync(new StoredRisk(TaskEstate.Agent, 80, clock.GetUtcNow(), "test"), ct);
            await session.CommitAsync(ct);
        }

        using var adminB = b.Server.CreateAdminClient();
        await EventuallyAsync(async () => await RiskAtAsync(adminB) == 80, "risk raised on A did not reach B");
        await PostOkAsync(a.Admin, "/v1/risk/" + Uri.EscapeDataString(TaskEstate.Agent) + "/clear", new { reason = "handled" });
        await EventuallyAsync(async () => await RiskAtAsync(adminB) == 0, "risk cleared on A did not reach B");
    }

    [Fact]
    public async Task KeyRotation_OnNodeA_ShouldBeFollowedByNodeB_AndMissedChangesCaughtUpOnReconnect()
    {
        var ct = TestContext.Current.CancellationToken;
        var connection = await PostgresTestDatabase.CreateSchemaAsync();
        var state = NewStateDirectory();
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var rotation = new Dictionary<string, string>
        {
            ["Mandate:Identity:KeyRotationInterval"] = "01:00:00",
            ["Mandate:Identity:KeyPrepublication"] = "00:00:00",
        };
        await using var a = await StartAsync(connection, state, clock, rotation);
        await using var b = await StartAsync(As(connection, Node2), state, clock, rotation);
        await b.Server.Services.GetRequiredService<KeyRingSync>().Listening.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
        var ringA = a.Server.Services.GetRequiredService<KeyRing>();
        var ringB = b.Server.Services.GetRequiredService<KeyRing>();
        var first = ringA.CurrentSigningKey().Kid;
        Assert.Equal(first, ringB.CurrentSigningKey().Kid);

        // The key is due an hour later; node A rotates it (no pre-publication: the successor signs at once).
        clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        Assert.True(await ringA.RotateIfDueAsync(ct));
        var second = ringA.CurrentSigningKey().Kid;
        Assert.NotEqual(first, second);

        // Node B stops signing with the retired key and verifies what the new one signs (a credential of node A's).
        await EventuallyAsync(() => Task.FromResult(ringB.CurrentSigningKey().Kid == second), "node B kept signing with the retired key");
        var (_, newCredential, _) = await a.OpenAsync();
        Assert.Equal(second, KeyId(newCredential));
        Assert.True((await DecideAsync(b, newCredential)).Decision, "node B refused a credential signed with the rotated-in key");
        var (_, issuedByB, _) = await b.OpenAsync();
        Assert.Equal(second, KeyId(issuedByB));

        // Changes committed without announcements (as if sent while node B's listeners were down): the new key's
        // publication ended (as for a key withdrawn), the sub-agent suspended, its risk raised. Node B cannot know yet...
        await PostgresTestDatabase.ExecuteAsync(connection, $"UPDATE identity_keys SET publish_until = {clock.GetUtcNow().ToUnixTimeMilliseconds() - 1} WHERE kid = '{second}'");
        await PostgresTestDatabase.ExecuteAsync(connection, $"UPDATE identities SET status = 'suspended' WHERE spiffe_id = '{TaskEstate.SubAgent}'");
        await PostgresTestDatabase.ExecuteAsync(connection, $"INSERT INTO detection_risk (identity, score, updated_ms, reason) VALUES ('{TaskEstate.SubAgent}', 55, {clock.GetUtcNow().ToUnixTimeMilliseconds()}, 'silent')");
        await Task.Delay(300, ct);
        Assert.NotNull(ringB.FindValidationKey(second));
        Assert.True((await DecideAsync(b, newCredential)).Decision);
        Assert.Null(b.Server.Services.GetRequiredService<IdentityDirectory>().CheckUsable(TaskEstate.SubAgent, clock.GetUtcNow()));

        // ...until its listeners' connections break: once they listen again it has caught up with all three.
        Assert.Equal(1L, await TerminateListenersAsync(connection, Node2, "mandate_keys_"));
        Assert.Equal(1L, await TerminateListenersAsync(connection, Node2, "mandate_identities_"));
        Assert.Equal(1L, await TerminateListenersAsync(connection, Node2, "mandate_risk_"));
        await WaitForDecisionAsync(b, newCredential, expected: false, "a key whose publication ended, after reconnect");
        await EventuallyAsync(
            () => Task.FromResult(b.Server.Services.GetRequiredService<IdentityDirectory>().CheckUsable(TaskEstate.SubAgent, clock.GetUtcNow()) is not null),
            "node B did not reload the inventory after its listener reconnected");
        using var adminB = b.Server.CreateAdminClient();
        await EventuallyAsync(async () => await RiskAtAsync(adminB, TaskEstate.SubAgent) == 55, "node B did not reload risk after its listener reconnected");
    }

    private static async Task<long> RiskAtAsync(HttpClient admin, string identity = TaskEstate.Agent)
    {
        var body = await admin.GetFromJsonAsync<JsonElement>("/v1/risk/" + Uri.EscapeDataString(identity), TestContext.Current.CancellationToken);
        return body.GetProperty("score").GetInt64();
    }

    private static string KeyId(string jwt) =>
        JsonDocument.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(jwt.Split('.')[0])).RootElement.GetProperty("kid").GetString()!;
}
