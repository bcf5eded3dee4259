namespace Mandate.Core.Audit;

/// <summary>
/// A row of the audit chain exactly as stored, for verification: the canonical bytes that were hashed, and the
/// indexed columns that queries use (checked against the body so a column cannot be altered on its own).
/// </summary>
internal sealed record StoredAuditRecord(long Sequence, string CanonicalJson, string PreviousHash, string Hash)
{
    /// <summary>The query columns as stored next to the body (null when the source has none, e.g. an export).</summary>
    public AuditIndexedColumns? Columns { get; init; }
}
