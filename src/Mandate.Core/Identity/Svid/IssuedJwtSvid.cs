namespace Mandate.Core.Identity.Svid;

/// <summary>A freshly signed JWT-SVID: the token for the caller, and the facts to audit (<c>jti</c>, never the token).</summary>
internal sealed record IssuedJwtSvid(string Token, string Jti, string SpiffeId, IReadOnlyList<string> Audiences, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, string Kid);
