using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mandate.Core.Credentials;

/// <summary>
/// The key a credential is bound to (<c>cnf</c>): <see cref="Methods.Dpop"/> with the RFC 7638 JWK thumbprint
/// (<c>jkt</c>, RFC 9449), or <see cref="Methods.X509"/> with the certificate's SHA-256 thumbprint (<c>x5t#S256</c>, RFC 8705).
/// </summary>
internal sealed record ProofOfPossession(string Method, string Thumbprint)
{
    /// <summary>A binding to <paramref name="certificate"/>: its DER's SHA-256, base64url (RFC 8705 <c>x5t#S256</c>).</summary>
    public static ProofOfPossession ForCertificate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return new(Methods.X509, Base64Url.EncodeToString(SHA256.HashData(certificate.RawData)));
    }

    public static class Methods
    {
        public const string Dpop = "jkt";
        public const string X509 = "x5t#S256";
    }
}
