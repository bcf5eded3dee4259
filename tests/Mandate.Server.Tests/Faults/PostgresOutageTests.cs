using System.Collections.Concurrent;
using System.Net;
using Mandate.Core.Decisions;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Mandate.Server.Tests.Faults;

/// <summary>
/// PostgreSQL taken away under load and given back, with a cluster the test owns (its own data directory and port,
/// stopped with <c>pg_ctl -m immediate</c>, which breaks every connection mid-transaction): requests answer 503
/// <c>store-unavailable</c> and nothing else; a decision is answered only once its audit record committed, so one taken
/// before the node notices is refused with 503 <c>audit-unavailable</c>, and once the node can no longer vouch for its
/// view of the store (<c>Mandate:Cluster:FreshnessBound</c>) decisions are refused with 503 <c>state-stale</c> (fail
/// closed); the host keeps running, every acknowledged write (2xx identity registration, 200 decision and its audit
/// record) is in the database afterwards, and the server recovers without a restart.
/// </summary>
public sealed class PostgresOutageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StoppingPostgresUnderLoad_ShouldAnswer503_LoseNoAcknowledgedWrite_AndRecoverWithoutARestart()
    {
        await using var cluster = await PrivatePostgresCluster.StartAsync();
        await using var server = await FaultServer.StartAsync(o => o.Store = MandateTestServer.PostgresLocation(cluster.ConnectionString));
        using var admin = server.CreateAdminClient();
        await FaultServer.WaitForReadinessAsync(admin, r => r.GetProperty("status").GetString() == "ready", TimeSpan.FromSeconds(30), Ct);

        var registered = new ConcurrentBag<string>();
        var decided = new ConcurrentBag<string>();
        var unexpected = new ConcurrentBag<string>();
        var unavailable = 0;
        var refusedUnaudited = 0;
        var refusedStale = 0;
        var outage = false;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        async Task RegisterLoopAsync(int worker)
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var id = $"spiffe://demo.mandate.local/fault/w{worker}-{n}";
                try
                {
                    var (status, code) = await FaultServer.RegisterAsync(admin, id, stop.Token);
                    if (status == HttpStatusCode.Created || status == HttpStatusCode.OK)
                    {
                        registered.Add(id);
                    }
                    else if (status == HttpStatusCode.ServiceUnavailable && code == "store-unavailable")
                    {
                        Interlocked.Increment(ref unavailable);
                    }
                    else
                    {
                        unexpected.Add($"{id}: {(int)status} {code}");
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (HttpRequestException e)
                {
                    unexpected.Add($"{id}: no answer ({e.Message})");
                }

                await Task.Delay(15, CancellationToken.None);
            }
        }

        async Task DecideLoopAsync()
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var resource = $"fault-decision-{n}";
                var sentDuringOutage = Volatile.Read(ref outage);
                try
                {
                    var (status, code) = await FaultServer.DecideAsync(server.Client, resource, stop.Token);
                    if (status == HttpStatusCode.OK)
                    {
                        decided.Add(resource);
                    }
                    else if (status == HttpStatusCode.ServiceUnavailable && code == "audit-unavailable" && (sentDuringOutage || Volatile.Read(ref outage)))
                    {
                        // Answered only once its record committed (AuditDurability = Committed, the default): a decision
                        // taken before the node noticed it was stale waits for a commit that cannot come, and is refused.
                        Interlocked.Increment(ref refusedUnaudited);
                    }
                    else if (status == HttpStatusCode.ServiceUnavailable && code == "state-stale" && Volatile.Read(ref outage))
                    {
                        Interlocked.Increment(ref refusedStale);
                    }
                    else
                    {
                        unexpected.Add($"{resource}: {(int)status} {code}");
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }

                await Task.Delay(15, CancellationToken.None);
            }
        }

        var load = Task.WhenAll(RegisterLoopAsync(1), RegisterLoopAsync(2), RegisterLoopAsync(3), DecideLoopAsync());
        await Task.Delay(TimeSpan.FromSeconds(1.5), Ct);
        var beforeOutage = registered.Count;

        Volatile.Write(ref outage, true);
        await cluster.StopAbruptlyAsync();
        var outageDeadline = DateTime.UtcNow.AddSeconds(20);
        while ((Volatile.Read(ref unavailable) < 10 || Volatile.Read(ref refusedStale) < 3) && DateTime.UtcNow < outageDeadline)
        {
            await Task.Delay(100, Ct);
        }

        using (var healthz = await server.Client.GetAsync(new Uri("/healthz", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, healthz.StatusCode);
        }

        using (var readyz = await server.Client.GetAsync(new Uri("/readyz", UriKind.Relative), Ct))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, readyz.StatusCode);
        }

        FaultServer.AssertStillRunning(server);

        await cluster.StartAgainAsync();
        var recovered = await FaultServer.WaitForReadinessAsync(
            admin,
            r => r.GetProperty("status").GetString() == "ready" && FaultServer.AllLoopsRunning(r),
            TimeSpan.FromSeconds(60),
            Ct);

        // Ready again means fresh again: decisions are answered once more, by themselves.
        Volatile.Write(ref outage, false);
        var decidedBeforeRecovery = decided.Count;
        var recoveryDeadline = DateTime.UtcNow.AddSeconds(10);
        while (decided.Count < decidedBeforeRecovery + 3 && DateTime.UtcNow < recoveryDeadline)
        {
            await Task.Delay(50, Ct);
        }

        await stop.CancelAsync();
        await load;

        FaultServer.AssertStillRunning(server);
        Assert.True(unexpected.IsEmpty, $"{unexpected.Count} unexpected answers, e.g. {string.Join("; ", unexpected.Take(5))}");
        Assert.True(beforeOutage > 0, "no write succeeded before the outage");
        Assert.True(unavailable > 0, "no request was answered 503 store-unavailable while PostgreSQL was down");
        Assert.True(refusedStale > 0, "decisions were still answered after the freshness bound with the store down");
        Assert.True(decided.Count >= decidedBeforeRecovery + 3, "the decision point did not decide again after the store returned");
        Assert.Equal("running", FaultServer.LoopState(recovered, "decision-audit-writer"));

        // Writes work again on the same server.
        var (afterStatus, afterCode) = await FaultServer.RegisterAsync(admin, "spiffe://demo.mandate.local/fault/after", Ct);
        Assert.True(afterStatus == HttpStatusCode.Created, $"{afterStatus} {afterCode}");
        registered.Add("spiffe://demo.mandate.local/fault/after");

        // Nothing acknowledged was lost: every 2xx registration and every answered decision's audit record is stored.
        await server.Services.GetRequiredService<DecisionAuditQueue>().FlushAsync(Ct);
        var storedIdentities = await ReadColumnAsync(cluster.ConnectionString, "SELECT spiffe_id FROM identities WHERE spiffe_id LIKE 'spiffe://demo.mandate.local/fault/%'");
        Assert.Empty(registered.Except(storedIdentities));
        var auditedResources = string.Join('\n', await ReadColumnAsync(cluster.ConnectionString, "SELECT resource FROM audit_events WHERE type = 'decision'"));
        var unaudited = decided.Where(resource => !auditedResources.Contains($"\"{resource}\"", StringComparison.Ordinal)).ToList();
        Assert.True(unaudited.Count == 0, $"{unaudited.Count} of {decided.Count} acknowledged decisions have no audit record, e.g. {unaudited.FirstOrDefault()}");
    }

    private static async Task<HashSet<string>> ReadColumnAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var values = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(Ct))
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }
}
