namespace Mandate.Core.Credentials;

/// <summary>
/// A credential a revocation reached: enough to record its own ledger event (whose credential, which task, and the
/// parent it was derived from by exchange, when it fell because that parent did).
/// </summary>
internal sealed record RevokedCredential(string Jti, string Subject, string? TaskId, string? ParentJti);
