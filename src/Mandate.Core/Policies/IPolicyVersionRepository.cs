namespace Mandate.Core.Policies;

/// <summary>
/// Every policy-set version ever activated (written once, never edited) and the append-only history of activations,
/// kept for listing, reading, rollback and audit.
/// </summary>
internal interface IPolicyVersionRepository
{
    /// <summary>
    /// Stores the version unless the same content is stored already (the stored row is left as it is), and appends an
    /// activation of it, announced on <see cref="Mandate.Core.Storage.StoreChannels.Policies"/> at commit. Returns the activation.
    /// </summary>
    Task<PolicyActivationRecord> SaveActivationAsync(string version, string kind, string origin, string actor, PolicyBundle bundle, string? previousVersion, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Versions newest first (by first storage), each with the time it was last activated.</summary>
    Task<IReadOnlyList<PolicyVersionRecord>> ListAsync(int limit, CancellationToken cancellationToken);

    Task<PolicyVersionRecord?> GetAsync(string version, CancellationToken cancellationToken);

    /// <summary>The version of the most recent activation, or null when none was ever stored.</summary>
    Task<PolicyVersionRecord?> GetLastActivatedAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The most recent activation, or null when none was ever stored. Its <see cref="PolicyActivationRecord.Sequence"/>
    /// orders activations as they committed, across every node sharing the store.
    /// </summary>
    Task<PolicyActivationRecord?> GetLastActivationAsync(CancellationToken cancellationToken);

    /// <summary>Activations newest first.</summary>
    Task<IReadOnlyList<PolicyActivationRecord>> ListActivationsAsync(int limit, CancellationToken cancellationToken);
}
