using Mandate.Core.Credentials;

namespace Mandate.Server.Console.Shared;

/// <summary>
/// What the delegation graph draws of one credential. Public only because Razor components (and so their parameters'
/// types) are; built from the store's record, which stays internal.
/// </summary>
public sealed record DelegationGraphCredential(
    string Jti,
    string? ParentJti,
    string Kind,
    string Holder,
    IReadOnlyList<string> Chain,
    IReadOnlyList<string> Scopes,
    DateTimeOffset IssuedAt,
    bool Live)
{
    internal static IReadOnlyList<DelegationGraphCredential> Of(IEnumerable<CredentialRecord> credentials, DateTimeOffset now) =>
        credentials.Select(c => new DelegationGraphCredential(c.Jti, c.ParentJti, c.Kind, c.Holder, c.Chain, c.Scopes, c.IssuedAt, c.RevokedAt is null && c.ExpiresAt > now)).ToList();
}
