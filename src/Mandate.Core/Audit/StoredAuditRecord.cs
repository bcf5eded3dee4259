namespace Mandate.Core.Audit;

/// <summary>A row of the audit chain exactly as stored, for verification: the canonical bytes that were hashed.</summary>
public sealed record StoredAuditRecord(long Sequence, string CanonicalJson, string PreviousHash, string Hash);
