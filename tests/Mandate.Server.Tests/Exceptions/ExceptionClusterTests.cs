using System.Net;
using Mandate.Server.Tests.Operators;
using Mandate.Server.Tests.Tasks;
using Mandate.Tests.Shared;
using static Mandate.Server.Tests.Cluster.ClusterNodes;
using static Mandate.Server.Tests.Exceptions.ExceptionHttp;

namespace Mandate.Server.Tests.Exceptions;

/// <summary>
/// Exceptions on two nodes sharing one PostgreSQL schema: approved on one node, in force on the other; revoked on one,
/// gone on the other at once; expired on the shared clock, permitting on neither, and ended once by the sweepers.
/// </summary>
public sealed class ExceptionClusterTests
{
    [Fact]
    public async Task Grants_ShouldTakeEffectAndEnd_OnEveryNode()
    {
        var connection = await PostgresTestDatabase.CreateSchemaAsync();
        var state = NewStateDirectory();
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var settings = new Dictionary<string, string> { ["Mandate:Exceptions:MinTtl"] = "00:00:01", ["Mandate:Exceptions:SweepInterval"] = "00:00:00.2" };
        await using var a = await StartAsync(connection, state, clock, settings);
        await using var b = await StartAsync(As(connection, "node-b"), state, clock, settings);
        // Operators are made through B (the admin token file holds the last node's token); their tokens work on both.
        var (aliceOnB, aliceToken, _) = await OperatorTestData.AddWithTokenAsync(b.Server, "alice", "security");
        var (bobOnB, bobToken, _) = await OperatorTestData.AddWithTokenAsync(b.Server, "bob", "approver");
        using var alice = OperatorTestData.Client(a.Server, aliceToken);
        using var bob = OperatorTestData.Client(a.Server, bobToken);
        using (aliceOnB)
        using (bobOnB)
        {
            async Task<bool> AllowedAsync(TaskEstate node) => (await DecideAsync(node.Admin, TaskEstate.Outsider, "read", "Ticket", "T-1")).Decision;
            Assert.False(await AllowedAsync(a));

            // Requested on A, approved on B: in force on A.
            var id = await RequestAsync(alice, TaskEstate.Outsider, "read", "Ticket::\"T-1\"", 600);
            var (approved, body) = await PostAsync(bobOnB, $"/v1/exceptions/{id}/approve", new { });
            Assert.True(approved.StatusCode == HttpStatusCode.OK, body.ToString());
            Assert.Equal(("workload", "team:payments"), (body.GetProperty("identity_kind").GetString(), body.GetProperty("identity_owner").GetString()));
            await EventuallyAsync(() => AllowedAsync(a), "node A never saw the grant approved on node B", Bound.TotalSeconds);
            Assert.True(await AllowedAsync(b));

            // Revoked on A: gone on B.
            var (revoked, _) = await PostAsync(alice, $"/v1/exceptions/{id}/revoke", new { reason = "done" });
            Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
            await EventuallyAsync(async () => !await AllowedAsync(b), "node B still permits a grant revoked on node A", Bound.TotalSeconds);

            // Expiry on the shared clock: neither node permits, and the two sweepers end the grant once.
            var second = await RequestAsync(alice, TaskEstate.Outsider, "read", "Ticket::\"T-1\"", 60);
            var (approvedAgain, _) = await PostAsync(bob, $"/v1/exceptions/{second}/approve", new { });
            Assert.Equal(HttpStatusCode.OK, approvedAgain.StatusCode);
            await EventuallyAsync(() => AllowedAsync(b), "node B never saw the second grant", Bound.TotalSeconds);
            clock.Advance(TimeSpan.FromSeconds(61));
            Assert.False(await AllowedAsync(a));
            Assert.False(await AllowedAsync(b));
            await EventuallyAsync(async () => (await GetAsync(a.Admin, second)).GetProperty("status").GetString() == "expired", "the sweepers did not expire the grant", Bound.TotalSeconds);
            await Task.Delay(500, TestContext.Current.CancellationToken);
            Assert.Single(await OperatorTestData.EventsAsync(a.Server, "exception.expired"));

            // Break-glass on B (alert, review and grant in one PostgreSQL transaction): in force on A, alerted on A.
            var (carol, _, _) = await OperatorTestData.AddWithTokenAsync(b.Server, "carol", "security");
            using (carol)
            {
                var (activated, grant) = await PostAsync(carol, "/v1/breakglass", new { identity = TaskEstate.Outsider, action = "read", resource = "Ticket::\"T-1\"", reason = "SEV1", ttl_seconds = 300 });
                Assert.True(activated.StatusCode == HttpStatusCode.Created, grant.ToString());
                Assert.Single(await AlertsAsync(a.Admin, "breakglass"));
                await EventuallyAsync(() => AllowedAsync(a), "node A never saw the break-glass grant activated on node B", Bound.TotalSeconds);
            }
        }
    }
}
