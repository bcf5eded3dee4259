namespace Mandate.Core.Governance.Offboarding;

/// <summary>The outcome of checking an evidence pack: intact only when <see cref="Problems"/> is empty.</summary>
internal sealed record EvidenceVerification(
    bool Verified,
    IReadOnlyList<string> Problems,
    string? Id,
    string? Owner,
    int Identities,
    int LedgerEvents,
    string? KeyId)
{
    public static EvidenceVerification Broken(string problem) => new(false, [problem], null, null, 0, 0, null);
}
