using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mandate.Core.Identity.X509;

/// <summary>
/// Reads a PKCS#10 CSR (PEM or base64 DER) and decides whether Mandate will sign it for a given SPIFFE ID: its key must
/// be EC P-256/P-384 or RSA of at least 2048 bits; it must be signed with SHA-256 or stronger and the self-signature
/// must verify; it may ask for no SAN or for exactly one URI SAN equal to the caller's SPIFFE ID; it must not ask to be
/// a CA (basicConstraints CA:true, keyCertSign, cRLSign). Nothing else it asks for is copied: Mandate writes every
/// extension itself.
/// </summary>
internal static class CertificateSigningRequestInspector
{
    public const int MaxCsrLength = 16 * 1024;
    private const string SubjectAltNameOid = "2.5.29.17";
    private const string EcPublicKeyOid = "1.2.840.10045.2.1";
    private const string RsaEncryptionOid = "1.2.840.113549.1.1.1";

    private static readonly HashSet<string> AcceptedCurves = new(StringComparer.Ordinal)
    {
        "1.2.840.10045.3.1.7", // P-256
        "1.3.132.0.34", // P-384
    };

    private static readonly HashSet<string> AcceptedSignatureAlgorithms = new(StringComparer.Ordinal)
    {
        "1.2.840.10045.4.3.2", // ecdsa-with-SHA256
        "1.2.840.10045.4.3.3", // ecdsa-with-SHA384
        "1.2.840.10045.4.3.4", // ecdsa-with-SHA512
        "1.2.840.113549.1.1.11", // sha256WithRSAEncryption
        "1.2.840.113549.1.1.12", // sha384WithRSAEncryption
        "1.2.840.113549.1.1.13", // sha512WithRSAEncryption
        RsassaPssOid, // only with SHA-256 or stronger in its parameters, see SignatureAlgorithmOf
    };

    private const string RsassaPssOid = "1.2.840.113549.1.1.10";
    private const string Mgf1Oid = "1.2.840.113549.1.1.8";

    private static readonly HashSet<string> StrongHashes = new(StringComparer.Ordinal)
    {
        "2.16.840.1.101.3.4.2.1", // SHA-256
        "2.16.840.1.101.3.4.2.2", // SHA-384
        "2.16.840.1.101.3.4.2.3", // SHA-512
    };

    public static bool TryInspect(string? csr, SpiffeId caller, out PublicKey? publicKey, out IdentityError? error)
    {
        ArgumentNullException.ThrowIfNull(caller);
        publicKey = null;
        if (string.IsNullOrWhiteSpace(csr) || csr.Length > MaxCsrLength)
        {
            error = new IdentityError(IdentityErrorCodes.CsrMalformed, $"csr: a PEM or base64 DER PKCS#10 request of at most {MaxCsrLength} characters is required.");
            return false;
        }

        byte[] der;
        CertificateRequest unchecked_;
        string signatureAlgorithm;
        try
        {
            der = Decode(csr);
            signatureAlgorithm = SignatureAlgorithmOf(der);
            unchecked_ = CertificateRequest.LoadSigningRequest(der, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.SkipSignatureValidation | CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException or ArgumentException or AsnContentException)
        {
            error = new IdentityError(IdentityErrorCodes.CsrMalformed, "csr: not a PKCS#10 certificate signing request.");
            return false;
        }

        // The key first: a key type .NET cannot use (Ed25519, say) cannot have its signature checked either.
        var key = unchecked_.PublicKey;
        if (!IsAcceptableKey(key))
        {
            error = new IdentityError(IdentityErrorCodes.CsrKeyRefused, "csr: the key must be EC P-256 or P-384, or RSA of at least 2048 bits.");
            return false;
        }

        if (!AcceptedSignatureAlgorithms.Contains(signatureAlgorithm))
        {
            error = new IdentityError(IdentityErrorCodes.CsrSignatureInvalid, $"csr: the request is signed with algorithm {signatureAlgorithm}; sign it with ECDSA or RSA over SHA-256 or stronger.");
            return false;
        }

        try
        {
            _ = CertificateRequest.LoadSigningRequest(der, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        }
        catch (Exception ex) when (ex is CryptographicException or NotSupportedException)
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

        publicKey = key;
        error = null;
        return true;
    }

    /// <exception cref="FormatException">Neither a CERTIFICATE REQUEST PEM block nor base64.</exception>
    private static byte[] Decode(string csr)
    {
        var text = csr.Trim();
        if (!text.StartsWith("-----BEGIN", StringComparison.Ordinal))
        {
            return Convert.FromBase64String(text);
        }

        if (!PemEncoding.TryFind(text, out var fields) || text[fields.Label] is not ("CERTIFICATE REQUEST" or "NEW CERTIFICATE REQUEST"))
        {
            throw new FormatException("not a CERTIFICATE REQUEST PEM block");
        }

        return Convert.FromBase64String(text[fields.Base64Data]);
    }

    /// <summary>
    /// The OID of CertificationRequest.signatureAlgorithm (RFC 2986 §4.2). For RSASSA-PSS the hash lives in the
    /// parameters, and absent parameters mean SHA-1 (RFC 4055 §3.1): such a request is reported as "RSASSA-PSS with
    /// SHA-1", which no list accepts.
    /// </summary>
    private static string SignatureAlgorithmOf(byte[] der)
    {
        var request = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
        _ = request.ReadEncodedValue(); // certificationRequestInfo
        var algorithm = request.ReadSequence();
        var oid = algorithm.ReadObjectIdentifier();
        if (oid != RsassaPssOid)
        {
            return oid;
        }

        return PssHashes(algorithm) is ({ } hash, { } maskHash) && StrongHashes.Contains(hash) && hash == maskHash
            ? oid
            : oid + " (RSASSA-PSS with SHA-1 or mismatched hashes)";
    }

    /// <summary>The message hash and MGF1 hash named by RSASSA-PSS-params (RFC 4055 §3.1); SHA-1 when left out.</summary>
    private static (string? Hash, string? MaskHash) PssHashes(AsnReader algorithm)
    {
        const string sha1 = "1.3.14.3.2.26";
        if (!algorithm.HasData)
        {
            return (sha1, sha1);
        }

        var parameters = algorithm.ReadSequence();
        var hash = sha1;
        var maskHash = sha1;
        var hashTag = new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true);
        var maskTag = new Asn1Tag(TagClass.ContextSpecific, 1, isConstructed: true);
        if (parameters.HasData && parameters.PeekTag() == hashTag)
        {
            hash = parameters.ReadSequence(hashTag).ReadSequence().ReadObjectIdentifier();
        }

        if (parameters.HasData && parameters.PeekTag() == maskTag)
        {
            var mask = parameters.ReadSequence(maskTag).ReadSequence();
            if (mask.ReadObjectIdentifier() != Mgf1Oid)
            {
                return (hash, null);
            }

            maskHash = mask.ReadSequence().ReadObjectIdentifier();
        }

        return (hash, maskHash);
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
            switch (key.Oid.Value)
            {
                case EcPublicKeyOid:
                    // The named curve is the algorithm's parameter; the key size alone would let secp256k1 through.
                    var curve = key.EncodedParameters?.RawData is { } parameters ? new AsnReader(parameters, AsnEncodingRules.DER).ReadObjectIdentifier() : null;
                    using (var ecdsa = key.GetECDsaPublicKey())
                    {
                        return curve is not null && AcceptedCurves.Contains(curve) && ecdsa is not null;
                    }

                case RsaEncryptionOid:
                    using (var rsa = key.GetRSAPublicKey())
                    {
                        return rsa is not null && rsa.KeySize >= 2048;
                    }

                default:
                    return false;
            }
        }
        catch (Exception ex) when (ex is CryptographicException or AsnContentException or NotSupportedException)
        {
            return false;
        }
    }
}
