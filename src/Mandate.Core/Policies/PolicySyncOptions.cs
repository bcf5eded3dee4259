namespace Mandate.Core.Policies;

/// <summary>How a node follows policy activations made on other nodes (configuration section <c>Mandate:PolicySync</c>).</summary>
internal sealed class PolicySyncOptions
{
    public const string SectionName = "Mandate:PolicySync";

    /// <summary>
    /// How often a node sharing a PostgreSQL store compares its active policy version with the store's latest activation
    /// (catches an activation whose notification it missed). Between 100 ms and 5 minutes.
    /// </summary>
    public TimeSpan CatchUpInterval { get; set; } = TimeSpan.FromSeconds(1);
}
