namespace Mandate.Core.Credentials;

/// <summary>The result of a revocation: its log entry and every <c>jti</c> it revoked (descendants by exchange included).</summary>
internal sealed record RevocationOutcome(RevocationEntry Entry, IReadOnlyList<string> RevokedJtis);
