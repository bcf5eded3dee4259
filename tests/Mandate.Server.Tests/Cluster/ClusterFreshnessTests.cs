using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Mandate.Core.Policies;
using Mandate.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Mandate.Server.Tests.Decisions.AuthZenHttp;

namespace Mandate.Server.Tests.Cluster;

/// <summary>
/// Fail closed when stale: a PostgreSQL node that loses the store (every connection cut, new ones refused) can no longer
/// vouch that it knows every revocation and policy change made on other nodes, so within the freshness bound it refuses
/// decisions (503 <c>state-stale</c>) and <c>/readyz</c> says not ready; when the store returns it recovers by itself.
/// </summary>
public sealed class ClusterFreshnessTests
{
    private const string AliceReadsRecord1 = """{"subject":{"type":"user","id":"alice"},"action":{"name":"read"},"resource":{"type":"record","id":"record-1"}}""";

    [Fact]
    public async Task NodeThatLosesTheStore_ShouldRefuseDecisionsWithinTheBound_AndRecoverWhenItReturns()
    {
        var ct = TestContext.Current.CancellationToken;
        var direct = await PostgresTestDatabase.CreateSchemaAsync();
        await using var proxy = PostgresProxy.To(direct);
        await using var node = await MandateTestServer.StartAsync(
            o =>
            {
                o.Demo = false;
                o.Store = MandateTestServer.PostgresLocation(proxy.Through(direct));
            },
            b =>
            {
                b.Configuration["Mandate:Decisions:AllowAnonymousPeps"] = "Loopback";
                b.Configuration["Mandate:Cluster:FreshnessBound"] = "00:00:02";
                b.Configuration["Mandate:Cluster:LeaderCheckInterval"] = "00:00:00.5";
            });
        await node.Services.GetRequiredService<PolicySync>().Listening.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
        using (var admin = node.CreateAdminClient())
        {
            using var put = await admin.PutAsJsonAsync("/v1/policies", new { policies = new Dictionary<string, string> { ["p.cedar"] = "permit (principal, action, resource);" } }, ct);
            put.EnsureSuccessStatusCode();
        }

        Assert.Equal((200, true), await DecideAsync(node));
        Assert.Equal(200, await ReadyAsync(node));

        // PostgreSQL goes away: within the bound (2 s, plus a heartbeat of slack) decisions are refused, not answered
        // from a view that may miss a revocation, and /readyz says why.
        proxy.Cut();
        var cut = Stopwatch.StartNew();
        await WaitAsync(async () => (await DecideAsync(node)).Status == 503, TimeSpan.FromSeconds(4), "decisions were still answered after the store went away");
        Assert.True(cut.Elapsed >= TimeSpan.FromSeconds(1), $"decisions were refused after {cut.Elapsed.TotalMilliseconds} ms, before the bound could pass");
        using (var content = new StringContent(AliceReadsRecord1, System.Text.Encoding.UTF8, "application/json"))
        using (var refused = await node.Client.PostAsync("/access/v1/evaluation", content, ct))
        {
            var problem = await ProblemAssert.ProblemAsync(refused, System.Net.HttpStatusCode.ServiceUnavailable, "state-stale");
            Assert.Equal("1", refused.Headers.RetryAfter?.ToString());
            Assert.Matches(@"\((revocations|policies|identities|keys|risk|grants)(, [a-z]+)*\)", problem.GetProperty("detail").GetString());
        }

        Assert.Equal(503, await ReadyAsync(node));
        using (var admin = node.CreateAdminClient())
        {
            async Task<JsonElement> DetailsAsync()
            {
                using var ready = await admin.GetAsync("/readyz", ct);
                return await ready.Content.ReadFromJsonAsync<JsonElement>(ct);
            }

            var details = await DetailsAsync();
            Assert.False(details.GetProperty("cluster").GetProperty("fresh").GetBoolean());
            Assert.Contains(details.GetProperty("problems").EnumerateArray(), p => p.GetString()!.StartsWith("cluster: ", StringComparison.Ordinal));

            // The views went stale one by one (each was last confirmed at its own heartbeat): soon all of them are.
            await WaitAsync(
                async () => (await DetailsAsync()).GetProperty("cluster").GetProperty("stale_views").EnumerateArray().Count() == Core.Storage.StoreChannels.All.Count,
                TimeSpan.FromSeconds(3),
                "not every view went stale");
        }

        // PostgreSQL returns: the listeners reconnect and catch up, and the node decides again, by itself.
        proxy.Restore();
        await WaitAsync(async () => await DecideAsync(node) == (200, true), TimeSpan.FromSeconds(10), "the node did not decide again after the store returned");
        await WaitAsync(async () => await ReadyAsync(node) == 200, TimeSpan.FromSeconds(10), "/readyz did not recover after the store returned");
    }

    [Fact]
    public async Task FreshnessBound_OutOfRange_ShouldStopTheStart()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => MandateTestServer.StartAsync(configureBuilder: b => b.Configuration["Mandate:Cluster:FreshnessBound"] = "00:00:00.5"));
        Assert.Contains("Mandate:Cluster:FreshnessBound", error.ToString(), StringComparison.Ordinal);
    }

    private static async Task<(int Status, bool Decision)> DecideAsync(MandateTestServer node)
    {
        var (status, body, response) = await PostAsync(node.Client, "/access/v1/evaluation", AliceReadsRecord1);
        response.Dispose();
        return (status, status == 200 && body.GetProperty("decision").GetBoolean());
    }

    private static async Task<int> ReadyAsync(MandateTestServer node)
    {
        using var response = await node.Client.GetAsync("/readyz", TestContext.Current.CancellationToken);
        return (int)response.StatusCode;
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, TimeSpan bound, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < bound, what + $" (within {bound.TotalSeconds} s)");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
