using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mandate.Core.Identity.Keys;

namespace Mandate.Core.Identity.X509;

/// <summary>
/// Signs X.509-SVID leaves with the key ring's current CA: exactly one URI SAN (the SPIFFE ID), basicConstraints
/// CA:false (critical), key usage digitalSignature plus keyAgreement (EC) or keyEncipherment (RSA) (critical),
/// EKU serverAuth + clientAuth, subject and authority key identifiers, a random 128-bit serial, and a validity that
/// never outlives the CA, and, when the server has a public URL, a CRL distribution point naming its CRL.
/// </summary>
internal sealed class X509SvidAuthority(KeyRing keyRing, TimeProvider time)
{
    public IssuedX509Svid Sign(SpiffeId subject, PublicKey publicKey, TimeSpan ttl, string? crlDistributionPoint = null)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(publicKey);
        if (!subject.HasPath)
        {
            throw new ArgumentException("An X.509-SVID leaf needs a SPIFFE ID with a path.", nameof(subject));
        }

        var authority = keyRing.CurrentAuthority();
        var now = time.GetUtcNow();
        var notBefore = now - TimeSpan.FromSeconds(30);
        var notAfter = now + ttl;
        var caNotAfter = new DateTimeOffset(authority.NotAfter.ToUniversalTime());
        if (notAfter > caNotAfter)
        {
            notAfter = caNotAfter;
        }

        var request = new CertificateRequest(new X500DistinguishedName("O=Mandate"), publicKey, HashAlgorithmName.SHA256);
        var isRsa = publicKey.Oid.Value == "1.2.840.113549.1.1.1";
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | (isRsa ? X509KeyUsageFlags.KeyEncipherment : X509KeyUsageFlags.KeyAgreement),
            true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1", "serverAuth"), new Oid("1.3.6.1.5.5.7.3.2", "clientAuth")],
            false));
        request.CertificateExtensions.Add(SpiffeSan.Create(subject.Value));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(publicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, true, false));
        if (crlDistributionPoint is not null)
        {
            request.CertificateExtensions.Add(CertificateRevocationListBuilder.BuildCrlDistributionPointExtension([crlDistributionPoint], false));
        }

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // positive
        serial[0] |= 0x01; // never a leading zero byte
        using var caKey = authority.GetECDsaPrivateKey() ?? throw new InvalidOperationException("The CA certificate has no private key.");
        var leaf = request.Create(authority.SubjectName, X509SignatureGenerator.CreateForECDsa(caKey), notBefore, notAfter, serial);
        var bundle = keyRing.PublishedAuthorities();
        return new IssuedX509Svid(subject.Value, leaf, [leaf], bundle, Convert.ToHexString(serial), new DateTimeOffset(leaf.NotAfter.ToUniversalTime()));
    }
}
