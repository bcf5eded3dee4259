namespace Mandate.Core.Policies;

/// <summary>Every policy-set version ever activated, kept for listing, reading and audit.</summary>
internal interface IPolicyVersionRepository
{
    /// <summary>Stores the version, or when the same content exists, marks it activated again. Returns the stored record.</summary>
    Task<PolicyVersionRecord> SaveActivationAsync(string version, string origin, string actor, PolicyBundle bundle, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Versions newest first, without their bundles' text loaded into memory beyond <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<PolicyVersionRecord>> ListAsync(int limit, CancellationToken cancellationToken);

    Task<PolicyVersionRecord?> GetAsync(string version, CancellationToken cancellationToken);

    /// <summary>The most recently activated version, or null when none was ever stored.</summary>
    Task<PolicyVersionRecord?> GetLastActivatedAsync(CancellationToken cancellationToken);
}
