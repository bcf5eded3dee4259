namespace Mandate.Core.Governance.Reviews;

/// <summary>What to review (one owner's identities, or every owner's), who decides, and by when.</summary>
internal sealed record ReviewStart(string? Owner, bool All, string? Reviewer, DateTimeOffset? Due);
