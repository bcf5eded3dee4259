using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Mandate.Core.Audit;
using Mandate.Core.Storage;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Mandate.Core.Identity.Keys;

/// <summary>
/// Creates the ring's keys: a JWT signing key or an X.509 authority, stored with the private half encrypted and
/// recorded in the audit trail, in the caller's transaction. The in-memory copies are wiped once stored.
/// </summary>
internal sealed class KeyMint(IOptions<IdentityOptions> options, IAuditTrail audit, PrivateKeyProtector protector)
{
    /// <summary>A JWT signing key of <paramref name="purpose"/> (<see cref="KeyPurposes.Jwt"/> or <see cref="KeyPurposes.JwtSvid"/>) with <paramref name="algorithm"/>.</summary>
    public async Task CreateJwtKeyAsync(IStoreSession session, IKeyRepository repository, string purpose, string algorithm, DateTimeOffset now, DateTimeOffset activation, string reason, CancellationToken cancellationToken, string? predecessor = null)
    {
        var key = SigningAlgorithms.Generate(algorithm);
        byte[]? pkcs8 = null;
        StoredKey stored;
        string kid;
        try
        {
            kid = Thumbprint(key);
            pkcs8 = SigningAlgorithms.ExportPkcs8(key);
            stored = new StoredKey(kid, purpose, algorithm, PublicJwk(kid, algorithm, key), protector.Protect(kid, pkcs8), null, now, activation, null, null);
        }
        finally
        {
            // The ring loads the key back from the store; this copy has served.
            if (pkcs8 is not null)
            {
                CryptographicOperations.ZeroMemory(pkcs8);
            }

            SigningAlgorithms.Destroy(key);
        }

        await repository.InsertAsync(stored, cancellationToken).ConfigureAwait(false);
        await audit.RecordAsync(
            session,
            new AuditEvent
            {
                Type = "identity.key_created",
                Actor = "system",
                Subject = options.Value.EffectiveIssuer,
                Resource = "key:" + kid,
                Reason = reason,
                Details = new Dictionary<string, string>
                {
                    ["algorithm"] = algorithm,
                    ["purpose"] = purpose,
                    ["activates_at"] = activation.ToString("O", CultureInfo.InvariantCulture),
                    ["predecessor"] = predecessor ?? string.Empty,
                },
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async Task CreateAuthorityAsync(IStoreSession session, IKeyRepository repository, DateTimeOffset now, DateTimeOffset activation, string reason, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var securityKey = new ECDsaSecurityKey(key);
        var kid = Thumbprint(securityKey);
        var request = new CertificateRequest(new X500DistinguishedName($"O=Mandate, CN=Mandate CA {settings.TrustDomain}"), key, HashAlgorithmName.SHA256);
        // pathLenConstraint=0: the CA signs leaf SVIDs only, never another CA.
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509.SpiffeSan.Create(SpiffeId.Scheme + settings.TrustDomain));
        // Back-dated a little so relying parties with a slightly slow clock accept it at once.
        using var certificate = request.CreateSelfSigned(now - settings.ClockSkew, now + settings.CaLifetime);
        var pkcs8 = key.ExportPkcs8PrivateKey();
        StoredKey stored;
        try
        {
            stored = new StoredKey(kid, KeyPurposes.X509Authority, SigningAlgorithms.ES256, PublicJwk(kid, SigningAlgorithms.ES256, securityKey), protector.Protect(kid, pkcs8), certificate.RawData, now, activation, null, null);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }

        await repository.InsertAsync(stored, cancellationToken).ConfigureAwait(false);
        await audit.RecordAsync(
            session,
            new AuditEvent
            {
                Type = "identity.authority_created",
                Actor = "system",
                Subject = SpiffeId.Scheme + settings.TrustDomain,
                Resource = "key:" + kid,
                Reason = reason,
                Details = new Dictionary<string, string>
                {
                    ["activates_at"] = activation.ToString("O", CultureInfo.InvariantCulture),
                    ["not_after"] = certificate.NotAfter.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
                    ["sha256"] = certificate.GetCertHashString(HashAlgorithmName.SHA256),
                },
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The kid: the RFC 7638 thumbprint of the public key.</summary>
    private static string Thumbprint(SecurityKey key) => Base64UrlEncoder.Encode(key switch
    {
        // Microsoft.IdentityModel's JWK conversion reads only the public parameters.
        ECDsaSecurityKey or RsaSecurityKey => JsonWebKeyConverter.ConvertFromSecurityKey(key).ComputeJwkThumbprint(),
        _ => key.ComputeJwkThumbprint(),
    });

    private static string PublicJwk(string kid, string algorithm, SecurityKey key)
    {
        using var verification = VerificationKey.FromPrivate(kid, algorithm, key);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            verification.WriteJwkMembers(writer, "sig");
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
