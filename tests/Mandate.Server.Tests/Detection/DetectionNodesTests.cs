using Mandate.Server.Tests.Infrastructure;
using Mandate.Server.Tests.Tasks;
using Mandate.Tests.Shared;

namespace Mandate.Server.Tests.Detection;

/// <summary>
/// Two nodes on one PostgreSQL schema, each running detection: each streams its own appends in memory (left unsaved for
/// up to <c>SaveInterval</c> when they raise no alert) and reads the other node's records from the store. Denies made
/// half on each node must make exactly one alert over all of them: no deny is missed by the node that raises it, and
/// the node that loses the cursor's compare-and-set reloads rather than raising it again.
/// </summary>
public sealed class DetectionNodesTests
{
    private static readonly Dictionary<string, string> Settings = new()
    {
        ["CatchUpInterval"] = "00:00:00.3",
        ["Rules:beyond_task_scope:Threshold"] = "10",
        ["Rules:beyond_task_scope:Window"] = "01:00:00",
        ["Rules:beyond_task_scope:Cooldown"] = "00:00:00",
        ["Rules:beyond_task_scope:Responses"] = "alert",
    };

    [Fact]
    public async Task DeniesOnTwoNodes_ShouldMakeOneAlert_OverEveryDeny()
    {
        var location = MandateTestServer.PostgresLocation(await PostgresTestDatabase.CreateSchemaAsync());
        var state = Path.Combine(Path.GetTempPath(), "mandate-tests", "detection-nodes-" + Guid.NewGuid().ToString("N"));
        void Configure(MandateServerOptions o)
        {
            o.StateDirectory = state;
            o.Store = location;
        }

        await using var first = await DetectionEstate.StartAsync(Settings, Configure);
        await using var second = await DetectionEstate.StartAsync(Settings, Configure);
        var agent = await first.NewIdentityAsync("nodes");
        var (_, token, _) = await first.TaskForAsync(agent);
        for (var i = 0; i < 10; i++)
        {
            var node = i % 2 == 0 ? first : second;
            Assert.False((await node.DecideAsync(agent, "read", "Dataset", "ds-" + i, token)).Decision);
        }

        await first.SettleAsync();
        await second.SettleAsync();

        // Both nodes have seen every record; whichever raised the alert, it is there once, over all ten denies.
        var alert = Assert.Single(await first.AlertsAsync("beyond_task_scope", agent));
        Assert.Single(await second.AlertsAsync("beyond_task_scope", agent));
        var denies = (await first.AuditAsync("decision"))
            .Where(e => e.GetProperty("subject").GetString() == $"Workload::\"{agent}\"" && e.GetProperty("decision").GetString() == "deny")
            .Select(e => e.GetProperty("seq").GetInt64()).Order().ToList();
        Assert.Equal(10, denies.Count);
        Assert.Equal(denies, DetectionEstate.Evidence(alert).Order());
        Assert.Single(await first.AuditAsync("detection.alert"), e => e.GetProperty("subject").GetString() == agent);
    }
}
