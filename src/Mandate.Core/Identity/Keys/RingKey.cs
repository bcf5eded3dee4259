using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.IdentityModel.Tokens;

namespace Mandate.Core.Identity.Keys;

/// <summary>A key loaded into memory: decrypted private half, public half for verification, and its schedule.</summary>
public sealed class RingKey
{
    internal RingKey(StoredKey stored, AsymmetricAlgorithm privateKey, X509Certificate2? certificate)
    {
        Stored = stored;
        PrivateKey = privateKey;
        Certificate = certificate;
        if (certificate is not null)
        {
            // X509Certificate2 reports validity as local times; keep instants so that no comparison depends on the
            // machine's time zone.
            CertificateNotBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero);
            CertificateNotAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        }

        Verification = VerificationKey.FromPrivate(stored.Kid, stored.Algorithm, privateKey);
        SigningKey = privateKey switch
        {
            ECDsa ecdsa => new ECDsaSecurityKey(ecdsa) { KeyId = stored.Kid },
            RSA rsa => new RsaSecurityKey(rsa) { KeyId = stored.Kid },
            _ => throw new CryptographicException("Unsupported key type."),
        };
        SigningCredentials = new SigningCredentials(SigningKey, stored.Algorithm);
    }

    public StoredKey Stored { get; }

    public string Kid => Stored.Kid;

    public string Algorithm => Stored.Algorithm;

    public string Purpose => Stored.Purpose;

    internal AsymmetricAlgorithm PrivateKey { get; }

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
}
