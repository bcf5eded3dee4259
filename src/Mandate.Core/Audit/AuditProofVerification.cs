namespace Mandate.Core.Audit;

/// <summary>The outcome of checking an inclusion proof: verified, or the first reason it does not hold.</summary>
internal sealed record AuditProofVerification(bool Verified, long Sequence, string? Reason, IReadOnlyList<string> Notes);
