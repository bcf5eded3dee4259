namespace Mandate.Core.Credentials;

/// <summary>One revocation request as the log keeps it: what was targeted, by whom, and how many credentials it reached.</summary>
internal sealed record RevocationEntry(
    string Id,
    string TargetKind,
    string Target,
    string? Reason,
    string RevokedBy,
    DateTimeOffset RevokedAt,
    int CredentialCount);
