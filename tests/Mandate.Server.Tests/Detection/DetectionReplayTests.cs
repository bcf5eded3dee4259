using Mandate.Core.Audit;
using Mandate.Core.Detection;
using Mandate.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Detection;

/// <summary>
/// A replay (a catch-up over records hours old, after downtime) decides as the live run did: the per-credential state
/// one batch builds is still there for the next batch, because forgetting follows the ledger's clock, not the wall's.
/// </summary>
public sealed class DetectionReplayTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CatchUpOverOldRecords_ShouldKeepCredentialStateAcrossBatches()
    {
        // The loop is off, so this test drives the server's engine alone.
        await using var estate = await DetectionEstate.StartAsync(new Dictionary<string, string> { ["Enabled"] = "false" });
        var engine = estate.Server.Services.GetRequiredService<DetectionEngine>();
        await engine.LoadAsync(Ct);
        var identity = DetectionEstate.Domain + "svc/replayed";
        var hoursAgo = DateTimeOffset.UtcNow.AddHours(-3);
        AuditRecord Decision(long sequence, DateTimeOffset at, string client) => new(
            sequence,
            at,
            new AuditEvent
            {
                Type = "decision",
                Subject = $"Workload::\"{identity}\"",
                Action = "Action::\"read\"",
                Resource = "Ticket::\"t-1\"",
                Decision = "allow",
                CredentialId = "jti-replayed",
                Details = new Dictionary<string, string> { ["client"] = client },
            },
            "prev",
            "hash");

        // One batch per record, as a catch-up with a small batch size would read them.
        Assert.True(await engine.ProcessAsync([Decision(engine.Cursor + 1, hoursAgo, "10.0.0.1")], Ct));
        Assert.True(await engine.ProcessAsync([Decision(engine.Cursor + 1, hoursAgo.AddMinutes(1), "10.0.0.2")], Ct));

        await using var session = await estate.Server.Services.GetRequiredService<IMandateStore>().BeginAsync(StoreIntent.Read, Ct);
        var alerts = await session.Get<IDetectionRepository>().QueryAlertsAsync(new AlertQuery { Rule = DetectionRuleNames.JtiMultiSource, Identity = identity }, Ct);
        Assert.Single(alerts);
    }
}
