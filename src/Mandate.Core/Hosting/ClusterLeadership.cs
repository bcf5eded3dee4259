using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using Mandate.Core.Audit;
using Mandate.Core.Decisions;
using Mandate.Core.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Hosting;

/// <summary>
/// Whether this node is the cluster's leader, the one node that runs the work that must happen once per cluster (the
/// task sweeper, audit checkpoint signing, key rotation, governance recomputation and overdue reviews): it holds the
/// store's leader lock (<see cref="IStoreLeaderLock"/>) for as long as it can, and a node that is not the leader tries to
/// take it every <see cref="ClusterOptions.LeaderCheckInterval"/>. When the leader dies or loses its lock connection,
/// PostgreSQL releases the lock and another node takes it within that interval; the old leader stops at its next check
/// of the connection. On a single-node store the node is the leader from the start. On a shared store every change is
/// recorded in the ledger (<c>cluster.leader_acquired</c>, <c>cluster.leader_lost</c>, naming the node), through the
/// audit queue, which keeps the record until the store takes it; a node that is killed records nothing, and the next
/// leader's <c>cluster.leader_acquired</c> follows.
/// </summary>
internal sealed partial class ClusterLeadership(
    IOptions<ClusterOptions> options,
    BackgroundHealth health,
    TimeProvider time,
    ILogger<ClusterLeadership> logger,
    IStoreLeaderLock? leaderLock = null,
    DecisionAuditQueue? audit = null) : BackgroundService
{
    public const string LoopName = "leader-election";
    public const string AcquiredEvent = "cluster.leader_acquired";
    public const string LostEvent = "cluster.leader_lost";

    private readonly ConcurrentDictionary<string, DateTimeOffset> lastRuns = new(StringComparer.Ordinal);
    private readonly IStoreLeaderLock leaderLock = leaderLock ?? new SingleNodeLeaderLock();
    private readonly bool singleNode = leaderLock is null or SingleNodeLeaderLock;
    private volatile Term? term;

    /// <summary>
    /// This node among the others, in the ledger's leadership records and <c>/readyz</c>: the host name (a pod's name on
    /// Kubernetes), the process id and a random suffix, since two nodes may share a host and a process id.
    /// </summary>
    public string NodeId { get; } = string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}:{Environment.ProcessId}:{RandomNumberGenerator.GetHexString(6, lowercase: true)}");

    /// <summary>Whether this node is the leader now.</summary>
    public bool IsLeader => singleNode || term is not null;

    /// <summary>Since when this node has been the leader (null when it is not).</summary>
    public DateTimeOffset? LeaderSince => term?.Since;

    /// <summary>When each leader job last ran on this node.</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> LastRuns => lastRuns;

    /// <summary>Runs one round of the leader job <paramref name="job"/> when this node is the leader; does nothing otherwise.</summary>
    public async Task RunIfLeaderAsync(string job, Func<CancellationToken, Task> round, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(round);
        if (!IsLeader)
        {
            return;
        }

        await round(cancellationToken).ConfigureAwait(false);
        lastRuns[job] = time.GetUtcNow();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var loop = new BackgroundLoop(LoopName, health, time, logger);
        return loop.RunContinuouslyAsync(
            async token =>
            {
                try
                {
                    await leaderLock.HoldAsync(
                        () =>
                        {
                            term = new Term(time.GetUtcNow());
                            loop.Succeeded();
                            LogElected(logger);
                            Record(AcquiredEvent, "this node took the leader lock: it runs the leader jobs");
                        },
                        options.Value.LeaderCheckInterval,
                        token).ConfigureAwait(false);
                }
                finally
                {
                    if (term is not null)
                    {
                        term = null;
                        if (!token.IsCancellationRequested)
                        {
                            LogStepDown(logger);
                            Record(LostEvent, "this node's leader lock connection ended: it stopped the leader jobs");
                        }
                    }
                }
            },
            stoppingToken,
            maxBackoff: options.Value.LeaderCheckInterval * 4);
    }

    /// <summary>
    /// Queues the ledger record of a change of leader (not on a single-node store, whose node always leads). The queue
    /// holds it until the store takes it (the store is often why the lock was lost), so the election never waits.
    /// </summary>
    private void Record(string type, string reason)
    {
        if (singleNode || audit is null)
        {
            return;
        }

        var record = new AuditEvent
        {
            Type = type,
            Actor = "system",
            Subject = NodeId,
            Action = type == AcquiredEvent ? "acquire" : "lose",
            Resource = "leader",
            Reason = reason,
            Details = new Dictionary<string, string>(StringComparer.Ordinal) { ["node"] = NodeId },
        };
        _ = RecordAsync(record);
    }

    private async Task RecordAsync(AuditEvent record)
    {
        try
        {
            await audit!.EnqueueWithoutDeadlineAsync(record, CancellationToken.None).ConfigureAwait(false);
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            // The node is shutting down: the writer no longer takes records.
        }
    }

    private sealed record Term(DateTimeOffset Since);

    [LoggerMessage(EventId = 1300, Level = LogLevel.Information, Message = "This node is the cluster's leader: it runs the leader jobs")]
    private static partial void LogElected(ILogger logger);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Warning, Message = "This node is no longer the cluster's leader (its lock connection ended); it stops the leader jobs")]
    private static partial void LogStepDown(ILogger logger);
}
