namespace Mandate.Core.Governance.Findings;

/// <summary>
/// What an identity used, folded from the ledger: an allowed decision for <see cref="Action"/> on a resource of
/// <see cref="ResourceType"/>, or (both empty) a <c>credential.used</c> record; with the last such ledger record.
/// </summary>
internal sealed record IdentityUsage(string Subject, string Action, string ResourceType, long LastSequence, DateTimeOffset LastUsedAt);
