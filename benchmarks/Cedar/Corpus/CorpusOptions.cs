namespace Mandate.Benchmarks.Cedar.Corpus;

/// <summary>
/// What to generate. The defaults are the paper's shape: 200 hierarchies of 500 requests for each entity count
/// 5…50 per type, plus the agent model (2,000 requests on its 10,450-entity estate) and its policy-scaling sets.
/// </summary>
public sealed record CorpusOptions
{
    public const string PaperApps = "paper";
    public const string AgentsApp = "agents";
    public const string ScalingApps = "scaling";

    public int Hierarchies { get; init; } = 200;

    public int RequestsPerHierarchy { get; init; } = 500;

    public IReadOnlyList<int> EntitiesPerType { get; init; } = Mandate.Benchmarks.Cedar.Apps.PaperApp.PaperEntityCounts;

    /// <summary>Paper app names (gdrive, github, tinytodo), "agents" and "scaling".</summary>
    public IReadOnlyList<string> Apps { get; init; } = ["gdrive", "github", "tinytodo", AgentsApp, ScalingApps];

    public int AgentRequests { get; init; } = 2_000;

    /// <summary>Policy counts of the scaling curve.</summary>
    public IReadOnlyList<int> ScalingPolicyCounts { get; init; } = [100, 1_000, 10_000];

    public ulong Seed { get; init; } = CorpusSeed.Default;
}
