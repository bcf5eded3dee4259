namespace Mandate.Core.Credentials;

/// <summary>
/// The revoked <c>jti</c>s held in memory so that every decision can check revocation without a store round trip.
/// Kept in sync with the store (and, on PostgreSQL, with other nodes). Lookups are lock-free.
/// </summary>
internal interface IRevocationSet
{
    bool IsRevoked(string jti);

    /// <summary>How many revoked <c>jti</c>s are held.</summary>
    int Count { get; }

    /// <summary>Grows whenever a <c>jti</c> the set did not hold is added, so an answer decided under an older epoch may be stale.</summary>
    long Epoch { get; }

    /// <summary>Adds revoked <c>jti</c>s (idempotent).</summary>
    void Add(IEnumerable<string> jtis);

    /// <summary>
    /// Replaces the whole set (a full reconcile from the store, which also drops expired credentials), keeping every
    /// <c>jti</c> added since that the snapshot may predate: a revoked <c>jti</c> never reads as valid again.
    /// </summary>
    void Replace(IEnumerable<string> jtis);
}
