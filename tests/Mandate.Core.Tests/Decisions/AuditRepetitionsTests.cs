using Mandate.Core.Audit;
using Mandate.Core.Decisions;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Tests.Decisions;

/// <summary>
/// Folding of identical audit events: the first is written at once, repeats are counted, and the counts are written
/// within the flush interval (not only when the window closes), each repeat counted exactly once.
/// </summary>
public sealed class AuditRepetitionsTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeSeconds(1_780_000_000);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Repeats_ShouldBeWrittenWithinTheFlushInterval_EachCountedOnce()
    {
        var clock = new ManualClock(T0);
        var options = Options.Create(new DecisionOptions { AuditRepeatWindow = TimeSpan.FromMinutes(10), AuditRepeatFlushAfter = TimeSpan.FromMilliseconds(200), AuditDurability = AuditDurability.Queued });
        var queue = new DecisionAuditQueue(options);
        using var repetitions = new AuditRepetitions(queue, clock, options);
        var deny = new AuditEvent { Type = "decision", Subject = "Workload::\"w\"", Decision = "deny", Reason = "no policy permits" };

        Assert.True(await repetitions.RecordAsync("k", deny, Ct));
        for (var i = 0; i < 5; i++)
        {
            Assert.False(await repetitions.RecordAsync("k", deny, Ct));
        }

        Assert.Equal("decision", (await NextAsync(queue)).Type);
        clock.Advance(TimeSpan.FromSeconds(1));
        var first = await NextAsync(queue);
        Assert.Equal("decision.repeated", first.Type);
        Assert.Equal("5", first.Details!["repeats"]);

        // Later repeats of the same window: counted from their own first one, written in their own record.
        for (var i = 0; i < 3; i++)
        {
            Assert.False(await repetitions.RecordAsync("k", deny, Ct));
        }

        clock.Advance(TimeSpan.FromSeconds(1));
        var second = await NextAsync(queue);
        Assert.Equal("3", second.Details!["repeats"]);
        Assert.Equal(AuditCanonicalForm.FormatTime(T0.AddSeconds(1)), second.Details["window_start"]);

        // Nothing is left to write: every repeat was counted once.
        await repetitions.FlushAsync();
        Assert.False(queue.Reader.TryRead(out _));
    }

    [Fact]
    public async Task WithoutFlushInterval_RepeatsShouldWaitForTheWindowToClose()
    {
        var clock = new ManualClock(T0);
        var options = Options.Create(new DecisionOptions { AuditRepeatWindow = TimeSpan.FromMinutes(10), AuditRepeatFlushAfter = TimeSpan.Zero, AuditDurability = AuditDurability.Queued });
        var queue = new DecisionAuditQueue(options);
        using var repetitions = new AuditRepetitions(queue, clock, options);
        var deny = new AuditEvent { Type = "decision", Decision = "deny" };
        await repetitions.RecordAsync("k", deny, Ct);
        await repetitions.RecordAsync("k", deny, Ct);
        Assert.Equal("decision", (await NextAsync(queue)).Type);

        clock.Advance(TimeSpan.FromSeconds(5));
        await Task.Delay(300, Ct);
        Assert.False(queue.Reader.TryRead(out _));

        await repetitions.FlushAsync();
        Assert.Equal("1", (await NextAsync(queue)).Details!["repeats"]);
    }

    private static async Task<AuditEvent> NextAsync(DecisionAuditQueue queue)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        return (AuditEvent)await queue.Reader.ReadAsync(timeout.Token);
    }
}
