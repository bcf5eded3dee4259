namespace Mandate.Core.Audit;

/// <summary>
/// One event's own checks (see <see cref="AuditChainVerifier.Prepare"/>): the first failure of the stored text, or of
/// the body, and the results the in-order pass needs.
/// </summary>
internal sealed record PreparedAuditRecord(StoredAuditRecord Record)
{
    public string? StoredFailure { get; init; }

    public string? BodyFailure { get; init; }

    public long BodySequence { get; init; }

    /// <summary>The chain hash over the hash before the event (as stored) and its body equals its stored hash.</summary>
    public bool HashMatches { get; init; }

    public byte[]? LeafHash { get; init; }
}
