using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Mandate.Core.Hosting;
using Mandate.Core.Storage;
using Mandate.Server.Tests.Infrastructure;
using Mandate.Storage.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Mandate.Server.Tests.Cluster;

/// <summary>
/// Leader election on PostgreSQL: of two nodes on one schema exactly one holds the advisory lock and runs the leader jobs
/// (here the task sweeper); when its lock connection is cut, PostgreSQL releases the lock, the other node takes it and
/// runs them, and the first stops. Every change of leader is in the ledger, naming the node. A single SQLite node is the
/// leader from the start (and records no election).
/// </summary>
public sealed class ClusterLeaderTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task OneNodeLeads_AndAnotherTakesOver_WhenTheLeadersLockConnectionEnds()
    {
        var ct = TestContext.Current.CancellationToken;
        var connection = await PostgresTestDatabase.CreateSchemaAsync();
        var state = ClusterNodes.NewStateDirectory();
        await using var a = await StartAsync(connection, state);
        await using var b = await StartAsync(connection, state);

        var (leader, follower) = await OneLeaderAsync(a, b, "no node was elected");
        await WaitAsync(async () => await SweptAsync(leader), "the leader did not run the task sweeper");
        Assert.False(await SweptAsync(follower), "the node that is not the leader ran the task sweeper");
        var details = await ClusterAsync(follower);
        Assert.False(details.GetProperty("leader").GetBoolean());
        Assert.True((await ClusterAsync(leader)).GetProperty("leader").GetBoolean());

        // The leader's lock connection is cut (as when its process dies): the other node takes over within the bound.
        var pid = ((PostgresLeaderLock)leader.Services.GetRequiredService<IStoreLeaderLock>()).BackendProcessId;
        Assert.NotEqual(0, pid);
        await PostgresTestDatabase.ExecuteAsync(connection, $"SELECT pg_terminate_backend({pid})");
        var (newLeader, oldLeader) = await OneLeaderAsync(a, b, "no node took over the leader lock", notBefore: follower);
        Assert.Same(follower, newLeader);
        Assert.Same(leader, oldLeader);
        await WaitAsync(async () => await SweptAsync(newLeader), "the new leader did not run the task sweeper");

        // The old leader keeps trying, but the lock is held: it stays a follower.
        await Task.Delay(600, ct);
        Assert.False(oldLeader.Services.GetRequiredService<ClusterLeadership>().IsLeader);
        Assert.True(newLeader.Services.GetRequiredService<ClusterLeadership>().IsLeader);
        await using var database = new NpgsqlConnection(connection);
        await database.OpenAsync(ct);
        await using var holders = new NpgsqlCommand(
            $"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = {PostgresLeaderLock.KeySpace} AND objsubid = 2 AND objid::bigint = (hashtext(current_schema())::bigint & 4294967295)",
            database);
        Assert.Equal(1L, (long)(await holders.ExecuteScalarAsync(ct))!);

        // The ledger tells the story: the first leader took the lock, lost it, and the other took it; nothing else is in
        // those records than the node (host, process, a random suffix), as /readyz names it.
        var first = (await ClusterAsync(oldLeader)).GetProperty("node").GetString()!;
        var second = (await ClusterAsync(newLeader)).GetProperty("node").GetString()!;
        Assert.NotEqual(first, second);
        List<(long Sequence, string Type, string Node)> changes = [];
        await WaitAsync(
            async () =>
            {
                changes = await LeadershipRecordsAsync(a, b);
                return changes.Count >= 3;
            },
            "the changes of leader are not in the ledger");
        Assert.Equal(3, changes.Count);
        var acquired = changes.Where(c => c.Type == ClusterLeadership.AcquiredEvent).ToList();
        Assert.Equal([first, second], acquired.Select(c => c.Node));
        var lost = Assert.Single(changes, c => c.Type == ClusterLeadership.LostEvent);
        Assert.Equal(first, lost.Node);
        Assert.True(lost.Sequence > acquired[0].Sequence);
    }

    [Fact]
    public async Task SingleSqliteNode_ShouldLead_AndSayItLeads()
    {
        await using var node = await MandateTestServer.StartAsync();
        Assert.True(node.Services.GetRequiredService<ClusterLeadership>().IsLeader);
        var cluster = await ClusterAsync(node);
        Assert.True(cluster.GetProperty("leader").GetBoolean());
        Assert.True(cluster.GetProperty("fresh").GetBoolean());
        await node.Services.GetRequiredService<Core.Decisions.DecisionAuditQueue>().FlushAsync(TestContext.Current.CancellationToken);
        await using var session = await node.Services.GetRequiredService<IMandateStore>().BeginAsync(StoreIntent.Read, TestContext.Current.CancellationToken);
        await foreach (var record in session.Get<Core.Audit.IAuditRepository>().ReadAsync(1, TestContext.Current.CancellationToken))
        {
            Assert.DoesNotContain("cluster.leader_", record.CanonicalJson, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task LeaderCheckInterval_LongerThanHalfTheFreshnessBound_ShouldStopTheStart()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => MandateTestServer.StartAsync(configureBuilder: b =>
        {
            b.Configuration["Mandate:Cluster:FreshnessBound"] = "00:00:02";
            b.Configuration["Mandate:Cluster:LeaderCheckInterval"] = "00:00:01.5";
        }));
        Assert.Contains("Mandate:Cluster:LeaderCheckInterval", error.ToString(), StringComparison.Ordinal);
    }

    private static Task<MandateTestServer> StartAsync(string connection, string state) =>
        MandateTestServer.StartAsync(
            o =>
            {
                // Not demo: a demo start writes a fresh admin token into the shared state directory.
                o.Demo = false;
                o.Store = MandateTestServer.PostgresLocation(connection);
                o.StateDirectory = state;
            },
            b =>
            {
                b.Configuration["Mandate:Cluster:LeaderCheckInterval"] = "00:00:00.2";
                b.Configuration["Mandate:Tasks:SweepInterval"] = "00:00:00.2";
            });

    private static async Task<(MandateTestServer Leader, MandateTestServer Follower)> OneLeaderAsync(
        MandateTestServer a, MandateTestServer b, string what, MandateTestServer? notBefore = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var aLeads = a.Services.GetRequiredService<ClusterLeadership>().IsLeader;
            var bLeads = b.Services.GetRequiredService<ClusterLeadership>().IsLeader;
            Assert.False(aLeads && bLeads && clock.Elapsed > TimeSpan.FromSeconds(1), "both nodes have led for a second");
            if (aLeads != bLeads && (notBefore is null || (aLeads ? a : b) == notBefore))
            {
                return aLeads ? (a, b) : (b, a);
            }

            Assert.True(clock.Elapsed < Bound, what + $" within {Bound.TotalSeconds} s");
            await Task.Delay(25, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>The ledger's leadership records (once each node's queued records are written), in chain order.</summary>
    private static async Task<List<(long Sequence, string Type, string Node)>> LeadershipRecordsAsync(MandateTestServer a, MandateTestServer b)
    {
        var ct = TestContext.Current.CancellationToken;
        await a.Services.GetRequiredService<Core.Decisions.DecisionAuditQueue>().FlushAsync(ct);
        await b.Services.GetRequiredService<Core.Decisions.DecisionAuditQueue>().FlushAsync(ct);
        var records = new List<(long, string, string)>();
        await using var session = await a.Services.GetRequiredService<IMandateStore>().BeginAsync(StoreIntent.Read, ct);
        await foreach (var record in session.Get<Core.Audit.IAuditRepository>().ReadAsync(1, ct))
        {
            var body = JsonDocument.Parse(record.CanonicalJson).RootElement;
            var type = body.GetProperty("type").GetString()!;
            if (type.StartsWith("cluster.leader_", StringComparison.Ordinal))
            {
                var details = body.GetProperty("details");
                Assert.Equal(["node"], details.EnumerateObject().Select(p => p.Name));
                Assert.Equal(body.GetProperty("subject").GetString(), details.GetProperty("node").GetString());
                records.Add((record.Sequence, type, details.GetProperty("node").GetString()!));
            }
        }

        return records;
    }

    private static async Task<bool> SweptAsync(MandateTestServer node) =>
        (await ClusterAsync(node)).GetProperty("leader_jobs").EnumerateArray().Any(j => j.GetProperty("name").GetString() == TaskSweeperJob);

    private const string TaskSweeperJob = Core.Tasks.TaskSweeper.LoopName;

    private static async Task<JsonElement> ClusterAsync(MandateTestServer node)
    {
        using var admin = node.CreateAdminClient();
        using var response = await admin.GetAsync("/readyz", TestContext.Current.CancellationToken);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        return body.GetProperty("cluster").Clone();
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < Bound, what + $" within {Bound.TotalSeconds} s");
            await Task.Delay(25, TestContext.Current.CancellationToken);
        }
    }
}
