using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace Mandate.Cli.Tests.Faults;

/// <summary>
/// Three real <c>mandate serve</c> processes on one private PostgreSQL, under a bounded load of decisions, identity
/// suspensions, credential revocations and policy activations spread over the nodes:
/// <list type="bullet">
/// <item>SIGKILL of the leader: the others keep answering and one of them leads; every suspension, revocation and
/// activation the cluster acknowledged is enforced by the survivors; every decision any node allowed, the killed one's
/// included, is in the ledger (a decision is answered only after its record committed); the ledger verifies.</item>
/// <item>PostgreSQL stopped abruptly and started again: every node refuses decisions (503 <c>state-stale</c>) and
/// readiness once it cannot confirm its views within the freshness bound — none allows with stale state — and each
/// recovers by itself within a bound once PostgreSQL is back; nothing acknowledged is lost, on any node; the ledger
/// verifies.</item>
/// </list>
/// </summary>
public sealed class ClusterProcessFaultTests
{
    /// <summary>How long a node may take, once PostgreSQL answers again, to decide and be ready again.</summary>
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(20);

    /// <summary>How long an acknowledged change may take to be enforced by every other node (the announcements take milliseconds).</summary>
    private static readonly TimeSpan FanOutBound = TimeSpan.FromSeconds(5);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// One cluster for both faults (starting three processes is most of the cost): PostgreSQL is restarted under load
    /// first, then the leader is killed under load on the recovered cluster.
    /// </summary>
    [Fact]
    public async Task ThreeNodes_UnderLoad_ShouldFailClosedThroughAPostgresRestart_AndSurviveTheLeadersSigkill_LosingNothingAcknowledged()
    {
        await using var cluster = await ProcessCluster.StartAsync(3, TimeSpan.FromSeconds(2), Ct);
        await PrepareAsync(cluster);
        var toSuspend = await cluster.AttestAsync("s", 30, Ct);
        var toRevoke = await cluster.AttestAsync("r", 30, Ct);
        var control = (await cluster.AttestAsync("control", 1, Ct))[0].Svid;

        var generations = await RestartPostgresUnderLoadAsync(cluster, toSuspend.Take(15).ToList(), toRevoke.Take(15).ToList(), control);
        await KillTheLeaderUnderLoadAsync(cluster, toSuspend.Skip(15).ToList(), toRevoke.Skip(15).ToList(), control, generations + 1);
    }

    /// <summary>
    /// PostgreSQL stopped abruptly under load and started again: every node refuses decisions (503 <c>state-stale</c>)
    /// and readiness once it cannot confirm its views within the bound, none allows with stale state, each recovers by
    /// itself within <see cref="RecoveryBound"/>, nothing acknowledged is lost and the ledger verifies. Returns the last
    /// policy generation sent.
    /// </summary>
    private static async Task<int> RestartPostgresUnderLoadAsync(ProcessCluster cluster, IReadOnlyList<(string SpiffeId, string Svid)> toSuspend, IReadOnlyList<(string SpiffeId, string Svid)> toRevoke, string control)
    {
        var bound = cluster.FreshnessBound;
        await using var load = new ClusterLoad(cluster);
        var outage = false;

        // A decision answers only once its record committed: one taken with PostgreSQL down (before the node noticed
        // it was stale) is refused audit-unavailable once its commit wait (AuditQueueWaitTimeout, 2 s in this cluster)
        // runs out, which may be just after the outage ended. From the stop until a commit wait after the recovery.
        long auditRefusalsFrom = long.MaxValue, auditRefusalsUntil = long.MaxValue;
        load.Tolerates = (_, what, status, code) => status == HttpStatusCode.ServiceUnavailable &&
            ((Volatile.Read(ref outage) && code is "store-unavailable" or "state-stale") ||
             (code == "audit-unavailable" && load.Now.Ticks >= Interlocked.Read(ref auditRefusalsFrom) && load.Now.Ticks <= Interlocked.Read(ref auditRefusalsUntil)));
        load.Start(decisionClientsPerNode: 1, toSuspend, toRevoke, firstGeneration: 1);
        await Task.Delay(TimeSpan.FromSeconds(1.5), Ct);

        Volatile.Write(ref outage, true);
        var stoppedAt = load.Now;
        Interlocked.Exchange(ref auditRefusalsFrom, stoppedAt.Ticks);
        await cluster.Postgres.StopAbruptlyAsync();

        // Every node notices within the bound (plus a heartbeat's round trip) and refuses: decisions and readiness.
        foreach (var node in cluster.Alive)
        {
            await EventuallyAsync(async () => await ProbeDecisionAsync(cluster, node) is (HttpStatusCode.ServiceUnavailable, "state-stale"), bound + TimeSpan.FromSeconds(5), $"node {node} kept deciding with PostgreSQL down");
            var (status, body) = await cluster.ReadinessAsync(node, Ct);
            Assert.True(status == HttpStatusCode.ServiceUnavailable, $"node {node}: /readyz {(int)status} with PostgreSQL down: {body}");
            Assert.Contains("cluster: not confirmed to follow the store", body.ToString(), StringComparison.Ordinal);
        }

        // Stay down a little longer, so the load meets the refusing nodes.
        await Task.Delay(TimeSpan.FromSeconds(1), Ct);
        var restartedAt = load.Now;
        await cluster.Postgres.StartAgainAsync();
        var recovery = Stopwatch.StartNew();
        foreach (var node in cluster.Alive)
        {
            await EventuallyAsync(async () => await ProbeDecisionAsync(cluster, node) is (HttpStatusCode.OK, _), RecoveryBound, $"node {node} did not decide again after PostgreSQL returned");
            await EventuallyAsync(async () => (await cluster.ReadinessAsync(node, Ct)).Status == HttpStatusCode.OK, RecoveryBound, $"node {node} did not become ready again after PostgreSQL returned");
        }

        var recovered = recovery.Elapsed;
        var recoveredAt = load.Now;
        Interlocked.Exchange(ref auditRefusalsUntil, (recoveredAt + TimeSpan.FromSeconds(3)).Ticks);
        Volatile.Write(ref outage, false);
        // Let the load reach every recovered node: on a loaded machine a client can still be waiting out a decision sent
        // during the outage (up to the commit wait), so a fixed pause was not always enough. Bounded like the recovery.
        foreach (var node in cluster.Alive)
        {
            await EventuallyAsync(() => Task.FromResult(load.Allowed.Count(d => d.Node == node && d.SentAt > recoveredAt) >= 5), RecoveryBound, $"node {node} did not decide again under the load after it recovered");
        }

        await WritesAcknowledgedAsync(load, recoveredAt, "after PostgreSQL returned");
        await load.StopAsync();

        Assert.True(load.Unexpected.IsEmpty, $"{load.Unexpected.Count} unexpected answers, e.g. {string.Join("; ", load.Unexpected.Take(5))}");

        // Fail closed: nothing sent once the bound (and a heartbeat) had passed with PostgreSQL down was allowed.
        var staleFrom = stoppedAt + bound + TimeSpan.FromSeconds(1);
        var allowedStale = load.Allowed.Where(d => d.SentAt > staleFrom && d.SentAt < restartedAt).ToList();
        Assert.True(allowedStale.Count == 0, $"{allowedStale.Count} decisions were allowed with PostgreSQL down for longer than the freshness bound, e.g. {allowedStale.FirstOrDefault()}");
        Assert.Contains(load.NotAllowed, n => n.Code == "state-stale");
        foreach (var node in cluster.Alive)
        {
            Assert.True(load.Allowed.Count(d => d.Node == node && d.SentAt > recoveredAt) >= 5, $"node {node} did not decide again under the load after it recovered");
        }

        Assert.True(recovered < RecoveryBound, $"recovered in {recovered}");
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"PostgreSQL stopped at {stoppedAt.TotalSeconds:F2} s, started at {restartedAt.TotalSeconds:F2} s, every node recovered {recovered.TotalSeconds:F2} s later; " +
            $"{load.Allowed.Count} decisions allowed ({load.Allowed.Count(d => d.SentAt > stoppedAt && d.SentAt < restartedAt)} with PostgreSQL down), {load.NotAllowed.Count(n => n.Code == "state-stale")} refused state-stale; " +
            $"acknowledged: {load.Suspended.Count} suspensions, {load.Revoked.Count} revocations, {load.Activations.Count(a => a.Version is not null)} activations");

        await AssertEnforcedAsync(cluster, load, control);
        await AssertPolicyAgreedAsync(cluster, load);

        // Every decision allowed is in the ledger (answered only once committed; the read is eventual only for the
        // other writes' sake).
        var decided = load.Allowed.Select(d => d.Resource).ToList();
        await EventuallyAsync(async () => !decided.Except(await cluster.AuditedDecisionsAsync(Ct)).Any(), TimeSpan.FromSeconds(15), "allowed decisions are missing from the ledger");
        await AssertLedgerVerifiesAsync(cluster);
        return load.Activations.Max(a => a.Generation);
    }

    /// <summary>
    /// SIGKILL of the leader under load: the others keep answering and one of them leads; what the cluster
    /// acknowledged is enforced by the survivors; every decision any node allowed (the killed one included) is in the
    /// ledger; the ledger verifies.
    /// </summary>
    private static async Task KillTheLeaderUnderLoadAsync(ProcessCluster cluster, IReadOnlyList<(string SpiffeId, string Svid)> toSuspend, IReadOnlyList<(string SpiffeId, string Svid)> toRevoke, string control, int firstGeneration)
    {
        var leader = await LeaderAsync(cluster);

        await using var load = new ClusterLoad(cluster);
        var killedAt = TimeSpan.MaxValue;
        load.Tolerates = (node, _, status, _) => node == leader && status is null && load.Now >= killedAt;
        load.Start(decisionClientsPerNode: 2, toSuspend, toRevoke, firstGeneration);
        await Task.Delay(TimeSpan.FromSeconds(2), Ct);

        killedAt = load.Now;
        cluster.Kill(leader);
        await Task.Delay(TimeSpan.FromSeconds(2), Ct);
        await WritesAcknowledgedAsync(load, killedAt, "after the leader was killed");
        await load.StopAsync();

        Assert.True(load.Unexpected.IsEmpty, $"{load.Unexpected.Count} unexpected answers, e.g. {string.Join("; ", load.Unexpected.Take(5))}");
        var survivors = cluster.Alive.ToList();
        Assert.Equal(2, survivors.Count);
        foreach (var node in survivors)
        {
            Assert.True(load.Allowed.Count(d => d.Node == node && d.SentAt > killedAt) >= 10, $"node {node} stopped deciding when node {leader} was killed");
        }

        Assert.Contains(load.Suspended, s => s.At > killedAt);
        Assert.Contains(load.Revoked, r => r.At > killedAt);
        Assert.Contains(load.Activations, a => a.Version is not null && a.At > killedAt);
        Assert.True(load.Suspended.Any(s => s.Node == leader) || load.Revoked.Any(r => r.Node == leader) || load.Activations.Any(a => a.Node == leader && a.Version is not null), "the killed node acknowledged no change");
        Assert.Contains(load.Allowed, d => d.Node == leader);

        // A survivor takes over the leader jobs.
        await EventuallyAsync(
            async () =>
            {
                foreach (var node in survivors)
                {
                    if ((await cluster.ReadinessAsync(node, Ct)).Body.GetProperty("cluster").GetProperty("leader").GetBoolean())
                    {
                        return true;
                    }
                }

                return false;
            },
            FanOutBound,
            "no surviving node became the leader");

        await AssertEnforcedAsync(cluster, load, control);
        await AssertPolicyAgreedAsync(cluster, load);

        // Every decision ANY node allowed is in the ledger, the killed node's included: a decision is answered only once
        // the transaction holding its record has committed (Mandate:Decisions:AuditDurability = Committed, the default),
        // so a SIGKILL loses only decisions it never answered. Read once, right away: nothing may still be on its way.
        var audited = await cluster.AuditedDecisionsAsync(Ct);
        var killed = load.Allowed.Where(d => d.Node == leader).ToList();
        var lost = load.Allowed.Where(d => !audited.Contains(d.Resource)).ToList();
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"killed node {leader} at {killedAt.TotalSeconds:F2} s; allowed decisions per node: {string.Join(", ", load.Allowed.GroupBy(d => d.Node).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}"))}; " +
            $"of the killed node's {killed.Count}, {lost.Count(d => d.Node == leader)} not in the ledger; acknowledged: {load.Suspended.Count} suspensions, {load.Revoked.Count} revocations, {load.Activations.Count(a => a.Version is not null)} activations");
        Assert.True(lost.Count == 0, $"{lost.Count} decisions answered 200 are not in the ledger (of them {lost.Count(d => d.Node == leader)} from the killed node {leader}), e.g. {string.Join(", ", lost.Take(5).Select(d => $"{d.Resource} by {d.Node}"))}");

        await AssertLedgerVerifiesAsync(cluster);
    }

    /// <summary>
    /// Lets the load run on (at most 15 s more) until a suspension, a revocation and an activation were acknowledged
    /// after <paramref name="after"/>: on a busy machine a write can take a few hundred milliseconds.
    /// </summary>
    private static Task WritesAcknowledgedAsync(ClusterLoad load, TimeSpan after, string when) =>
        EventuallyAsync(
            () => Task.FromResult(
                load.Suspended.Any(w => w.At > after) && load.Revoked.Any(w => w.At > after) && load.Activations.Any(a => a.Version is not null && a.At > after)),
            TimeSpan.FromSeconds(15),
            $"the cluster acknowledged no suspension, revocation or policy activation {when}");

    /// <summary>The first policy generation, active on every node before the load starts.</summary>
    private static async Task PrepareAsync(ProcessCluster cluster)
    {
        using var admin = cluster.Client(0);
        using var response = await admin.PutAsync(new Uri("/v1/policies", UriKind.Relative), System.Net.Http.Json.JsonContent.Create(ProcessCluster.PolicyBundle(0)), Ct);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
        foreach (var node in cluster.Alive)
        {
            await EventuallyAsync(async () => (await cluster.ActivePolicyAsync(node, Ct)).Generation == 0, FanOutBound, $"node {node} did not take the first policy");
        }
    }

    private static async Task<int> LeaderAsync(ProcessCluster cluster)
    {
        foreach (var node in cluster.Alive)
        {
            if ((await cluster.ReadinessAsync(node, Ct)).Body.GetProperty("cluster").GetProperty("leader").GetBoolean())
            {
                return node;
            }
        }

        Assert.Fail("no node is the leader");
        return -1;
    }

    /// <summary>Every acknowledged suspension and revocation is enforced by every running node; the untouched credential is not refused.</summary>
    private static async Task AssertEnforcedAsync(ProcessCluster cluster, ClusterLoad load, string control)
    {
        var suspended = load.Suspended.ToList();
        var revoked = load.Revoked.ToList();
        Assert.NotEmpty(suspended);
        Assert.NotEmpty(revoked);
        foreach (var node in cluster.Alive)
        {
            using var admin = cluster.Client(node);
            Assert.True(await cluster.ActiveAtAsync(admin, control, Ct), $"node {node} refuses a credential nobody revoked");
            await EventuallyAsync(
                async () =>
                {
                    foreach (var revocation in revoked)
                    {
                        if (await cluster.ActiveAtAsync(admin, revocation.Svid, Ct))
                        {
                            return false;
                        }
                    }

                    return true;
                },
                FanOutBound,
                $"node {node} still accepts a credential whose revocation was acknowledged");
            await EventuallyAsync(
                async () =>
                {
                    foreach (var suspension in suspended)
                    {
                        if (await cluster.ActiveAtAsync(admin, suspension.Svid, Ct))
                        {
                            return false;
                        }
                    }

                    return true;
                },
                FanOutBound,
                $"node {node} still accepts the credential of an identity whose suspension was acknowledged");
        }
    }

    /// <summary>
    /// Every running node enforces the same policy set, the one the store says is active, which is the last
    /// acknowledged activation (or one sent after it whose answer was lost with its node); every acknowledged
    /// activation is in the store's history.
    /// </summary>
    private static async Task AssertPolicyAgreedAsync(ProcessCluster cluster, ClusterLoad load)
    {
        var sent = load.Activations.ToList();
        var acknowledged = sent.Where(a => a.Version is not null).ToList();
        Assert.True(acknowledged.Count >= 2, $"only {acknowledged.Count} policy activations were acknowledged");
        var last = acknowledged[^1];
        var alive = cluster.Alive.ToList();
        var history = await cluster.ActivationsAsync(alive[0], Ct);
        Assert.Empty(acknowledged.Select(a => a.Version!).Except(history));
        foreach (var node in alive)
        {
            await EventuallyAsync(
                async () =>
                {
                    var (generation, version) = await cluster.ActivePolicyAsync(node, Ct);
                    return version == history[0] && (generation == last.Generation || sent.Any(a => a.Generation == generation && a.Generation > last.Generation));
                },
                FanOutBound,
                $"node {node} does not enforce the policy set last activated (generation {last.Generation}, {last.Version}; the store's latest is {history[0]})");
        }
    }

    private static async Task AssertLedgerVerifiesAsync(ProcessCluster cluster)
    {
        var (code, output, error) = await Cli.RunAsync("audit", "verify", "--store", cluster.Store);
        Assert.True(code == 0, $"mandate audit verify exited {code}: {output}{error}");
        Assert.Contains("verified", output, StringComparison.Ordinal);
    }

    private static async Task<(HttpStatusCode Status, string? Code)> ProbeDecisionAsync(ProcessCluster cluster, int node)
    {
        using var client = cluster.Client(node, admin: false);
        using var content = ProcessCluster.Json($$$"""{"subject":{"type":"Workload","id":"spiffe://{{{ProcessCluster.TrustDomain}}}/svc/probe"},"action":{"name":"read"},"resource":{"type":"Invoice","id":"probe-{{{Guid.NewGuid():N}}}"}}""");
        using var response = await client.PostAsync(new Uri("/access/v1/evaluation", UriKind.Relative), content, Ct);
        return (response.StatusCode, response.IsSuccessStatusCode ? null : await ProcessCluster.ProblemCodeAsync(response, Ct));
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan within, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < within, $"{what} (not within {within.TotalSeconds} s)");
            await Task.Delay(100, Ct);
        }
    }
}
