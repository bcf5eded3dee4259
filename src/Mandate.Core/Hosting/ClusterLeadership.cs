using System.Collections.Concurrent;
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
/// of the connection. On a single-node store the node is the leader from the start.
/// </summary>
internal sealed partial class ClusterLeadership(
    IOptions<ClusterOptions> options,
    BackgroundHealth health,
    TimeProvider time,
    ILogger<ClusterLeadership> logger,
    IStoreLeaderLock? leaderLock = null) : BackgroundService
{
    public const string LoopName = "leader-election";

    private readonly ConcurrentDictionary<string, DateTimeOffset> lastRuns = new(StringComparer.Ordinal);
    private readonly IStoreLeaderLock leaderLock = leaderLock ?? new SingleNodeLeaderLock();
    private readonly bool singleNode = leaderLock is null or SingleNodeLeaderLock;
    private volatile Term? term;

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
                        }
                    }
                }
            },
            stoppingToken,
            maxBackoff: options.Value.LeaderCheckInterval * 4);
    }

    private sealed record Term(DateTimeOffset Since);

    [LoggerMessage(EventId = 1300, Level = LogLevel.Information, Message = "This node is the cluster's leader: it runs the leader jobs")]
    private static partial void LogElected(ILogger logger);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Warning, Message = "This node is no longer the cluster's leader (its lock connection ended); it stops the leader jobs")]
    private static partial void LogStepDown(ILogger logger);
}
