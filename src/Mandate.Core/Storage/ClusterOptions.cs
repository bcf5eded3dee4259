namespace Mandate.Core.Storage;

/// <summary>How a node behaves among others on one shared store (configuration section <c>Mandate:Cluster</c>).</summary>
internal sealed class ClusterOptions
{
    public const string SectionName = "Mandate:Cluster";

    /// <summary>
    /// How long a node may go without confirming that its revocation set, policies, identity directory, keys and risk
    /// follow the store (its listeners alive and caught up) before it refuses decisions. Between 1 second and 5 minutes.
    /// </summary>
    public TimeSpan FreshnessBound { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often a node that is not the leader tries to take the leader lock, and how often the leader checks the
    /// lock's connection. Between 100 ms and 1 minute; at most half the freshness bound.
    /// </summary>
    public TimeSpan LeaderCheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often each listener confirms its connection is alive: a quarter of the bound.</summary>
    public TimeSpan Heartbeat => FreshnessBound / 4;
}
