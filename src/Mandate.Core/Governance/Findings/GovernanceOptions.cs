namespace Mandate.Core.Governance.Findings;

/// <summary>Settings of <c>Mandate:Governance</c>: the windows findings are judged against.</summary>
internal sealed class GovernanceOptions
{
    public const string SectionName = "Mandate:Governance";

    /// <summary>No use for this long makes a credential <c>stale</c> (a never-used one counts from its creation).</summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromDays(90);

    /// <summary>A credential older than this since its creation or last rotation is <c>rotation_overdue</c>.</summary>
    public TimeSpan RotateAfter { get; set; } = TimeSpan.FromDays(90);

    /// <summary>A static secret older than this, or without an expiry, is a <c>long_lived_secret</c>.</summary>
    public TimeSpan MaxSecretAge { get; set; } = TimeSpan.FromDays(365);

    /// <summary>
    /// <c>unused_grant</c>'s window: a permitted action × resource type not allowed once in this long is unused; only
    /// identities older than the window are judged.
    /// </summary>
    public TimeSpan GrantWindow { get; set; } = TimeSpan.FromDays(90);

    /// <summary>The Cedar entity type of a registered identity as principal (as the decision point names it).</summary>
    public string PrincipalEntityType { get; set; } = "Workload";

    /// <summary>Action names that are write-like for <c>broad_policy</c> whatever their name says.</summary>
    public IList<string> WriteActions { get; } = [];

    /// <summary>Action names that are never write-like, whatever their name says (wins over <see cref="WriteActions"/>).</summary>
    public IList<string> ReadOnlyActions { get; } = [];

    /// <summary>How often the background loop recomputes findings (they are also recomputed after every import and on demand).</summary>
    public TimeSpan RecomputeInterval { get; set; } = TimeSpan.FromMinutes(15);
}
