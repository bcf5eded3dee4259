using Mandate.Core.Identity.Svid;
using Mandate.Core.Identity.X509;

namespace Mandate.Server.Identity;

/// <summary><c>POST /v1/svid/jwt</c> body: one <c>audience</c> (or <c>audiences</c>), optional <c>ttl_seconds</c>.</summary>
internal sealed record JwtSvidRequest(string? Audience, IReadOnlyList<string>? Audiences, long? TtlSeconds);

/// <summary><c>POST /v1/svid/validate</c> body: the token and, optionally, the audience to accept (default: the caller's SPIFFE ID).</summary>
internal sealed record JwtSvidValidationRequest(string? Token, string? Audience);

internal sealed record JwtSvidResponse(string Token, string SpiffeId, IReadOnlyList<string> Audiences, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, string Jti)
{
    public static JwtSvidResponse From(IssuedJwtSvid svid) =>
        new(svid.Token, svid.SpiffeId, svid.Audiences, svid.IssuedAt, svid.ExpiresAt, svid.Jti);
}

/// <summary><c>POST /v1/svid/x509</c> body: a PKCS#10 CSR (PEM or base64 DER) and an optional <c>ttl_seconds</c>.</summary>
internal sealed record X509SvidRequest(string? Csr, long? TtlSeconds);

/// <summary>
/// The leaf, the chain to present (leaf first, PEM) and the CA bundle to trust (PEM), with the <c>jti</c> under which it
/// is recorded and revoked (<c>x509:</c> + serial).
/// </summary>
internal sealed record X509SvidResponse(string SpiffeId, string Certificate, IReadOnlyList<string> Chain, IReadOnlyList<string> Bundle, string SerialNumber, DateTimeOffset ExpiresAt, string Jti)
{
    public static X509SvidResponse From(IssuedX509Svid svid) => new(
        svid.SpiffeId,
        svid.Certificate.ExportCertificatePem(),
        svid.Chain.Select(c => c.ExportCertificatePem()).ToList(),
        svid.Bundle.Select(c => c.ExportCertificatePem()).ToList(),
        svid.SerialNumber,
        svid.ExpiresAt,
        Core.Credentials.CredentialKinds.X509SvidJti(svid.SerialNumber));
}
