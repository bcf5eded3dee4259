using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mandate.Core.Identity.X509;

/// <summary>
/// Reads a PKCS#10 CSR (PEM or base64 DER) and decides whether Mandate will sign it for a given SPIFFE ID: the
/// self-signature must verify; it may ask for no SAN or for exactly one URI SAN equal to the caller's SPIFFE ID;
/// it must not ask to be a CA (basicConstraints CA:true, keyCertSign, cRLSign); its key must be EC P-256/P-384 or
/// RSA of at least 2048 bits. Nothing else it asks for is copied: Mandate writes every extension itself.
/// </summary>
public static class CertificateSigningRequestInspector
{
    public const int MaxCsrLength = 16 * 1024;
    private const string SubjectAltNameOid = "2.5.29.17";

    public static bool TryInspect(string? csr, SpiffeId caller, out PublicKey? publicKey, out IdentityError? error)
    {
        ArgumentNullException.ThrowIfNull(caller);
        publicKey = null;
        if (string.IsNullOrWhiteSpace(csr) || csr.Length > MaxCsrLength)
        {
            error = new IdentityError(IdentityErrorCodes.CsrMalformed, $"csr: a PEM or base64 DER PKCS#10 request of at most {MaxCsrLength} characters is required.");
            return false;
        }

        CertificateRequest unchecked_;
        try
        {
            unchecked_ = Load(csr, CertificateRequestLoadOptions.SkipSignatureValidation | CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException or ArgumentException)
        {
            error = new IdentityError(IdentityErrorCodes.CsrMalformed, "csr: not a PKCS#10 certificate signing request.");
            return false;
        }

        try
        {
            _ = Load(csr, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        }
        catch (CryptographicException)
        {
            error = new IdentityError(IdentityErrorCodes.CsrSignatureInvalid, "csr: the request's signature does not verify with its own key.");
            return false;
        }

        foreach (var extension in unchecked_.CertificateExtensions)
        {
            switch (extension)
            {
                case X509BasicConstraintsExtension { CertificateAuthority: true }:
                    error = new IdentityError(IdentityErrorCodes.CsrCaRequested, "csr: the request asks for a CA certificate (basicConstraints CA:true); SVIDs are leaves.");
                    return false;
                case X509KeyUsageExtension usage when (usage.KeyUsages & (X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign)) != 0:
                    error = new IdentityError(IdentityErrorCodes.CsrCaRequested, "csr: the request asks for keyCertSign or cRLSign; SVIDs cannot sign certificates.");
                    return false;
            }

            if (extension.Oid?.Value == SubjectAltNameOid && !HasOnlyCallerUri(extension.RawData, caller))
            {
                error = new IdentityError(IdentityErrorCodes.CsrExtraSan, $"csr: the only subject alternative name allowed is the caller's own URI SAN {caller}.");
                return false;
            }
        }

        var key = unchecked_.PublicKey;
        if (!IsAcceptableKey(key))
        {
            error = new IdentityError(IdentityErrorCodes.CsrKeyRefused, "csr: the key must be EC P-256 or P-384, or RSA of at least 2048 bits.");
            return false;
        }

        publicKey = key;
        error = null;
        return true;
    }

    private static CertificateRequest Load(string csr, CertificateRequestLoadOptions options)
    {
        var text = csr.Trim();
        return text.StartsWith("-----BEGIN", StringComparison.Ordinal)
            ? CertificateRequest.LoadSigningRequestPem(text, HashAlgorithmName.SHA256, options, RSASignaturePadding.Pkcs1)
            : CertificateRequest.LoadSigningRequest(Convert.FromBase64String(text), HashAlgorithmName.SHA256, options, RSASignaturePadding.Pkcs1);
    }

    /// <summary>GeneralNames with exactly one entry: uniformResourceIdentifier [6] equal to the caller's ID.</summary>
    private static bool HasOnlyCallerUri(byte[] rawData, SpiffeId caller)
    {
        try
        {
            var reader = new AsnReader(rawData, AsnEncodingRules.DER);
            var names = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            var uriTag = new Asn1Tag(TagClass.ContextSpecific, 6);
            if (!names.HasData || names.PeekTag() != uriTag)
            {
                return false;
            }

            var uri = names.ReadCharacterString(UniversalTagNumber.IA5String, uriTag);
            return !names.HasData && string.Equals(uri, caller.Value, StringComparison.Ordinal);
        }
        catch (AsnContentException)
        {
            return false;
        }
    }

    private static bool IsAcceptableKey(PublicKey key)
    {
        try
        {
            using var ecdsa = key.GetECDsaPublicKey();
            if (ecdsa is not null)
            {
                return ecdsa.KeySize is 256 or 384;
            }

            using var rsa = key.GetRSAPublicKey();
            return rsa is not null && rsa.KeySize >= 2048;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
