using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.IdentityModel.Tokens;

namespace Mandate.Core.Identity.Keys;

/// <summary>A key loaded into memory: decrypted private half, public half for verification, and its schedule.</summary>
internal sealed class RingKey
{
    internal RingKey(StoredKey stored, SecurityKey signingKey, X509Certificate2? certificate)
    {
        Stored = stored;
        Certificate = certificate;
        if (certificate is not null)
        {
            (CertificateNotBefore, CertificateNotAfter) = ValidityOf(certificate);
        }

        signingKey.KeyId = stored.Kid;
        SigningKey = signingKey;
        SigningCredentials = new SigningCredentials(signingKey, stored.Algorithm);
        Verification = VerificationKey.FromPrivate(stored.Kid, stored.Algorithm, signingKey);
    }

    public StoredKey Stored { get; }

    public string Kid => Stored.Kid;

    public string Algorithm => Stored.Algorithm;

    public string Purpose => Stored.Purpose;

    /// <summary>The CA certificate with its private key (CA keys only).</summary>
    internal X509Certificate2? Certificate { get; }

    /// <summary>Start of the CA certificate's validity, as an instant (CA keys only).</summary>
    public DateTimeOffset? CertificateNotBefore { get; }

    /// <summary>End of the CA certificate's validity, as an instant (CA keys only).</summary>
    public DateTimeOffset? CertificateNotAfter { get; }

    public VerificationKey Verification { get; }

    internal SecurityKey SigningKey { get; }

    internal SigningCredentials SigningCredentials { get; }

    /// <summary>Published from creation until its overlap ends (CA keys: until the certificate expires).</summary>
    public bool IsPublishedAt(DateTimeOffset time) =>
        time >= Stored.CreatedAt
        && (Stored.PublishUntil is not { } until || time < until)
        && (CertificateNotAfter is not { } notAfter || time < notAfter);

    /// <summary>Whether the CA certificate is within its validity at <paramref name="time"/> (false for keys without a certificate).</summary>
    public bool CertifiesAt(DateTimeOffset time) =>
        CertificateNotBefore is { } notBefore && CertificateNotAfter is { } notAfter && notBefore <= time && time < notAfter;

    public bool SignsAt(DateTimeOffset time) =>
        time >= Stored.ActivatesAt && (Stored.RetiresAt is not { } retires || time < retires);

    /// <summary>
    /// A certificate's validity as instants. X509Certificate2 reports it in local time; instants keep every
    /// comparison independent of the machine's time zone.
    /// </summary>
    internal static (DateTimeOffset NotBefore, DateTimeOffset NotAfter) ValidityOf(X509Certificate2 certificate) =>
        (new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero), new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero));

    /// <summary>The JWS signature of <paramref name="signingInput"/> under this key's algorithm (ECDSA as IEEE P1363 r||s, as JWS wants).</summary>
    internal byte[] Sign(ReadOnlySpan<byte> signingInput) => (SigningKey, Algorithm) switch
    {
        (ECDsaSecurityKey ecdsa, "ES256") => ecdsa.ECDsa.SignData(signingInput, HashAlgorithmName.SHA256),
        (RsaSecurityKey rsa, "RS256") => rsa.Rsa.SignData(signingInput, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        (Ed25519SecurityKey ed25519, Ed25519SecurityKey.Algorithm) => ed25519.Sign(signingInput),
        _ => throw new CryptographicException($"Key {Kid} cannot sign with {Algorithm}."),
    };
}
