using Mandate.Core.Audit;
using Mandate.Core.Decisions;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Tests.Decisions;

/// <summary>
/// The audit queue when full: by default a record waits for room and, past the wait timeout, the caller is refused
/// (nothing is dropped); with DropAllows only allows are dropped, each counted, and the counts come out as one
/// audit.dropped event (and sampled-out allows as one audit.sampled event) that resets them. These run with
/// AuditDurability = Queued (no writer here); the Committed_* tests play the writer's part by hand.
/// </summary>
public sealed class DecisionAuditQueueTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static AuditEvent Allow(int i) => new() { Type = "decision", Decision = "allow", RequestId = "r" + i };

    [Fact]
    public async Task FullQueue_ShouldMakeAnAllowWait_ThenRefuseIt_ByDefault()
    {
        var queue = new DecisionAuditQueue(Options.Create(new DecisionOptions { AuditQueueCapacity = 16, AuditQueueWaitTimeout = TimeSpan.FromMilliseconds(100), AuditDurability = AuditDurability.Queued }));
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
            AuditDurability = AuditDurability.Queued,
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

    [Fact]
    public async Task Committed_ARecordCompletesOnlyWhenTheBatchHoldingItCloses_AfterTheQueueDrained()
    {
        var queue = new DecisionAuditQueue(Options.Create(new DecisionOptions { AuditQueueWaitTimeout = TimeSpan.FromMinutes(1) }));
        Assert.Equal(AuditDurability.Committed, queue.Durability);
        var first = queue.EnqueueAllowAsync(Allow(1), Ct).AsTask();
        var second = queue.EnqueueAsync(Allow(2), Ct).AsTask();
        Assert.False(first.IsCompleted);

        // The writer read one record of two: the batch must not close (the other is still queued).
        Assert.True(queue.Reader.TryRead(out _));
        Assert.Null(queue.CloseDrainedBatch());
        Assert.True(queue.Reader.TryRead(out _));
        var closed = queue.CloseDrainedBatch();
        Assert.NotNull(closed);

        // Enqueued after the close: another batch, not completed by this one's commit.
        var third = queue.EnqueueAllowAsync(Allow(3), Ct).AsTask();
        Assert.False(first.IsCompleted);
        closed.Succeed();
        await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.False(third.IsCompleted);

        Assert.True(queue.Reader.TryRead(out _));
        queue.CloseDrainedBatch()!.Succeed();
        await third.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Null(queue.CloseDrainedBatch());
    }

    [Fact]
    public async Task Committed_ABatchNotCommittedInTime_ShouldRefuseItsDecisions_AndNotTheNextOnes()
    {
        var queue = new DecisionAuditQueue(Options.Create(new DecisionOptions { AuditQueueWaitTimeout = TimeSpan.FromMilliseconds(200) }));
        var late = queue.EnqueueAllowAsync(Allow(1), Ct).AsTask();
        await Assert.ThrowsAsync<AuditUnavailableException>(() => late.WaitAsync(TimeSpan.FromSeconds(10), Ct));

        // The expired batch no longer takes records: the next one waits for a commit of its own.
        var next = queue.EnqueueAsync(Allow(2), Ct).AsTask();
        Assert.True(queue.Reader.TryRead(out _));
        Assert.True(queue.Reader.TryRead(out _));
        queue.CloseDrainedBatch()!.Succeed();
        await next.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        // A writer that gives up refuses what waits.
        var abandoned = queue.EnqueueAsync(Allow(3), Ct).AsTask();
        queue.FailOpenBatch("stopped");
        await Assert.ThrowsAsync<AuditUnavailableException>(() => abandoned.WaitAsync(TimeSpan.FromSeconds(10), Ct));
    }
}
