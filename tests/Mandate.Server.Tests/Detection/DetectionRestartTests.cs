using Mandate.Core.Detection;
using Mandate.Core.Storage;
using Mandate.Server.Tests.Infrastructure;
using Mandate.Server.Tests.Tasks;
using Mandate.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Detection;

/// <summary>
/// Restart safety: the server is stopped while the engine is streaming a backlog (one record per commit), then started
/// again on the same store. Every record is processed exactly once: the alerts are exactly those of one uninterrupted
/// run (none twice, none missing), and the rule state saved with the cursor carries the open window across the restart.
/// </summary>
public sealed class DetectionRestartTests
{
    private static readonly Dictionary<string, string> Settings = new()
    {
        ["BatchSize"] = "1",
        ["Rules:beyond_task_scope:Threshold"] = "10",
        ["Rules:beyond_task_scope:Window"] = "01:00:00",
        ["Rules:beyond_task_scope:Cooldown"] = "00:00:00",
        ["Rules:beyond_task_scope:Responses"] = "alert",
    };

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task StoppedMidStream_ShouldResumeWithoutProcessingAnythingTwiceOrSkippingAnything(string store)
    {
        var state = Path.Combine(Path.GetTempPath(), "mandate-tests", "detection-restart-" + Guid.NewGuid().ToString("N"));
        StoreLocation? location = store == "postgres" ? MandateTestServer.PostgresLocation(await PostgresTestDatabase.CreateSchemaAsync()) : null;
        void Configure(MandateServerOptions o)
        {
            o.StateDirectory = state;
            o.Store = location;
        }

        string agent, token;
        long processedBeforeStop;
        var first = await DetectionEstate.StartAsync(Settings, Configure);
        await using (first)
        {
            agent = await first.NewIdentityAsync("restart");
            (_, token, _) = await first.TaskForAsync(agent);
            for (var i = 0; i < 25; i++)
            {
                Assert.False((await first.DecideAsync(agent, "read", "Dataset", "ds-" + i, token)).Decision);
            }

            processedBeforeStop = first.Server.Services.GetRequiredService<DetectionEngine>().Cursor;
        }

        await using var second = await DetectionEstate.StartAsync(Settings, Configure);
        await second.SettleAsync();
        var alerts = await second.AlertsAsync("beyond_task_scope", agent);
        Assert.Equal(2, alerts.Count);
        var evidence = alerts.SelectMany(DetectionEstate.Evidence).ToList();
        Assert.Equal(20, evidence.Count);
        Assert.Equal(20, evidence.Distinct().Count());
        Assert.Equal(2, (await second.AuditAsync("detection.alert")).Count(e => e.GetProperty("subject").GetString() == agent));
        var denies = (await second.AuditAsync("decision")).Where(e => e.GetProperty("subject").GetString() == $"Workload::\"{agent}\"" && e.GetProperty("decision").GetString() == "deny")
            .Select(e => e.GetProperty("seq").GetInt64()).Order().ToList();
        Assert.Equal(25, denies.Count);
        Assert.Equal(denies[..20], evidence.Order());

        // The window's last five denies were remembered across the restart: five more make the third alert.
        for (var i = 25; i < 30; i++)
        {
            Assert.False((await second.DecideAsync(agent, "read", "Dataset", "ds-" + i, token)).Decision);
        }

        await second.SettleAsync();
        var third = (await second.AlertsAsync("beyond_task_scope", agent)).Skip(2).Single();
        Assert.Equal(denies[20..], DetectionEstate.Evidence(third).Take(5));
        Assert.True(processedBeforeStop >= 0 && processedBeforeStop <= denies[^1]);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task UnsavedRecords_ShouldBeProcessedAgainFromTheLedger_AfterAStop_WithoutAnAlertTwiceOrADenyLost(string store)
    {
        // Records that raise no alert stay unsaved for up to SaveInterval (a minute here, so none is saved before the
        // stop); a stop loses them as a crash would. The restart must rebuild them from the ledger: the open window keeps
        // the five denies after the first alert, and that alert is not raised again.
        var settings = new Dictionary<string, string>(Settings) { ["BatchSize"] = "5000", ["SaveInterval"] = "00:01:00" };
        var state = Path.Combine(Path.GetTempPath(), "mandate-tests", "detection-unsaved-" + Guid.NewGuid().ToString("N"));
        StoreLocation? location = store == "postgres" ? MandateTestServer.PostgresLocation(await PostgresTestDatabase.CreateSchemaAsync()) : null;
        void Configure(MandateServerOptions o)
        {
            o.StateDirectory = state;
            o.Store = location;
        }

        string agent, token;
        var first = await DetectionEstate.StartAsync(settings, Configure);
        await using (first)
        {
            agent = await first.NewIdentityAsync("unsaved");
            (_, token, _) = await first.TaskForAsync(agent);
            for (var i = 0; i < 10; i++)
            {
                Assert.False((await first.DecideAsync(agent, "read", "Dataset", "ds-" + i, token)).Decision);
            }

            await first.SettleAsync();
            Assert.Single(await first.AlertsAsync("beyond_task_scope", agent));
            for (var i = 10; i < 15; i++)
            {
                Assert.False((await first.DecideAsync(agent, "read", "Dataset", "ds-" + i, token)).Decision);
            }

            await first.SettleAsync();
            var engine = first.Server.Services.GetRequiredService<DetectionEngine>();
            // The five denies (and the engine's own alert record before them) are processed but not saved.
            Assert.True(engine.Unsaved >= 5, $"only {engine.Unsaved} records unsaved: nothing here tests the replay");

        }

        await using var second = await DetectionEstate.StartAsync(settings, Configure);
        for (var i = 15; i < 20; i++)
        {
            Assert.False((await second.DecideAsync(agent, "read", "Dataset", "ds-" + i, token)).Decision);
        }

        await second.SettleAsync();
        var alerts = await second.AlertsAsync("beyond_task_scope", agent);
        Assert.Equal(2, alerts.Count);
        Assert.Equal(2, (await second.AuditAsync("detection.alert")).Count(e => e.GetProperty("subject").GetString() == agent));
        var denies = (await second.AuditAsync("decision")).Where(e => e.GetProperty("subject").GetString() == $"Workload::\"{agent}\"" && e.GetProperty("decision").GetString() == "deny")
            .Select(e => e.GetProperty("seq").GetInt64()).Order().ToList();
        Assert.Equal(20, denies.Count);
        var evidence = alerts.SelectMany(DetectionEstate.Evidence).Order().ToList();
        Assert.Equal(denies, evidence);
    }
}
