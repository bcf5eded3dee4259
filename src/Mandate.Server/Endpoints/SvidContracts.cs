using Mandate.Core.Identity.Svid;

namespace Mandate.Server.Endpoints;

/// <summary><c>POST /v1/svid/jwt</c> body: one <c>audience</c> (or <c>audiences</c>), optional <c>ttl_seconds</c>.</summary>
internal sealed record JwtSvidRequest(string? Audience, IReadOnlyList<string>? Audiences, long? TtlSeconds);

/// <summary><c>POST /v1/svid/validate</c> body: the token and, optionally, the audience to accept (default: the caller's SPIFFE ID).</summary>
internal sealed record JwtSvidValidationRequest(string? Token, string? Audience);

internal sealed record JwtSvidResponse(string Token, string SpiffeId, IReadOnlyList<string> Audiences, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, string Jti)
{
    public static JwtSvidResponse From(IssuedJwtSvid svid) =>
        new(svid.Token, svid.SpiffeId, svid.Audiences, svid.IssuedAt, svid.ExpiresAt, svid.Jti);
}
