namespace Mandate.Core.Identity.Svid;

/// <summary>A validated JWT-SVID's facts (never the token itself).</summary>
internal sealed record JwtSvid(
    SpiffeId Subject,
    IReadOnlyList<string> Audiences,
    string Issuer,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? IssuedAt,
    string? Jti,
    string Kid);
