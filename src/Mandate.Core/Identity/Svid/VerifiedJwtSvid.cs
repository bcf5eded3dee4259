namespace Mandate.Core.Identity.Svid;

/// <summary>What a JWT-SVID whose signature and issuer verified says, kept so later presentations re-check only what can change.</summary>
internal sealed record VerifiedJwtSvid(JwtSvid Svid, DateTimeOffset? NotBefore);
