using Mandate.Core.Audit;
using Mandate.Core.Decisions;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Tests.Decisions;

/// <summary>
/// The audit queue when full: by default a record waits for room and, past the wait timeout, the caller is refused
/// (nothing is dropped); with DropAllows only allows are dropped, each counted, and the counts come out as one
/// audit.dropped event (and sampled-out allows as one audit.sampled event) that resets them.
/// </summary>
public sealed class DecisionAuditQueueTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static AuditEvent Allow(int i) => new() { Type = "decision", Decision = "allow", RequestId = "r" + i };

    [Fact]
    public async Task FullQueue_ShouldMakeAnAllowWait_ThenRefuseIt_ByDefault()
    {
        var queue = new DecisionAuditQueue(Options.Create(new DecisionOptions { AuditQueueCapacity = 16, AuditQueueWaitTimeout = TimeSpan.FromMilliseconds(100) }));
        for (var i = 0; i < 16; i++)
        {
            await queue.EnqueueAllowAsync(Allow(i), Ct);
        }

        // Room made while it waits: it gets in.
        var waiting = queue.EnqueueAllowAsync(Allow(16), Ct).AsTask();
        Assert.False(waiting.IsCompleted);
        Assert.True(queue.Reader.TryRead(out _));
        await waiting.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        // No room within the timeout: refused, not dropped.
        await Assert.ThrowsAsync<AuditUnavailableException>(() => queue.EnqueueAllowAsync(Allow(17), Ct).AsTask());
        await Assert.ThrowsAsync<AuditUnavailableException>(() => queue.EnqueueAsync(Allow(18), Ct).AsTask());
        Assert.Equal(0, queue.Losses.TotalDropped);
        Assert.Empty(queue.Losses.TakeReport());
    }

    [Fact]
    public async Task DropAllows_ShouldDropOnlyAllows_CountEach_AndReportThemOnce()
    {
        var queue = new DecisionAuditQueue(Options.Create(new DecisionOptions
        {
            AuditQueueCapacity = 16,
            AuditOverflow = AuditOverflow.DropAllows,
            AuditAllowSampleRate = 0.25,
            AuditQueueWaitTimeout = TimeSpan.FromMilliseconds(100),
        }));
        for (var i = 0; i < 16; i++)
        {
            await queue.EnqueueAllowAsync(Allow(i), Ct);
        }

        for (var i = 0; i < 5; i++)
        {
            await queue.EnqueueAllowAsync(Allow(100 + i), Ct);
        }

        queue.SampledOut();
        queue.SampledOut();

        // A deny still waits (and here is refused): it is never dropped.
        await Assert.ThrowsAsync<AuditUnavailableException>(() => queue.EnqueueAsync(new AuditEvent { Type = "decision", Decision = "deny" }, Ct).AsTask());

        var report = queue.Losses.TakeReport();
        var dropped = Assert.Single(report, e => e.Type == AuditLossCounter.DroppedType);
        Assert.Equal("5", dropped.Details!["count"]);
        Assert.Equal("decision", dropped.Details["of_type"]);
        Assert.Equal("allow", dropped.Details["of_decision"]);
        var sampled = Assert.Single(report, e => e.Type == AuditLossCounter.SampledType);
        Assert.Equal("2", sampled.Details!["count"]);
        Assert.Equal("0.25", sampled.Details["sample_rate"]);
        Assert.Empty(queue.Losses.TakeReport());
        Assert.Equal(5, queue.Losses.TotalDropped);
    }
}
