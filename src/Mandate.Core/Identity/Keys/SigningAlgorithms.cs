using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Mandate.Core.Identity.Keys;

/// <summary>The JWS algorithms Mandate signs with, and how their keys are made, exported and loaded.</summary>
internal static class SigningAlgorithms
{
    public const string ES256 = SecurityAlgorithms.EcdsaSha256;
    public const string RS256 = SecurityAlgorithms.RsaSha256;
    public const string EdDSA = Ed25519SecurityKey.Algorithm;

    /// <summary>Every algorithm a key of Mandate's may carry (what its own tokens are validated against).</summary>
    public static IReadOnlyList<string> All { get; } = [ES256, RS256, EdDSA];

    /// <summary>
    /// The asymmetric JWS algorithms a pinned verification key may use (ours or a federated issuer's). <c>none</c> and
    /// the HMAC family are absent on purpose: with them a published public key would become a shared secret.
    /// </summary>
    public static IReadOnlySet<string> Verifiable { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512", EdDSA,
    };

    /// <summary>
    /// The algorithms the SPIFFE JWT-SVID specification allows (§3: RS, ES and PS with SHA-256/384/512); validators
    /// must refuse any other, so Mandate signs and accepts JWT-SVIDs only with these, whatever the ring's algorithm.
    /// </summary>
    public static IReadOnlySet<string> JwtSvid { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512",
    };

    /// <summary>The algorithm of the ring's separate JWT-SVID key (<see cref="KeyPurposes.JwtSvid"/>), when it needs one.</summary>
    public const string JwtSvidFallback = ES256;

    /// <summary>Why an algorithm cannot be used to sign, or null when it can.</summary>
    public static string? Refusal(string algorithm) => algorithm switch
    {
        ES256 or RS256 or EdDSA => null,
        "Ed25519" => "write EdDSA, the JWS name of Ed25519 signatures (RFC 8037)",
        _ => $"'{algorithm}' is not a supported signing algorithm; use ES256 (default), RS256 or EdDSA",
    };

    /// <summary>A new private key for <paramref name="algorithm"/>: P-256, RSA-3072 or Ed25519.</summary>
    internal static SecurityKey Generate(string algorithm) => algorithm switch
    {
        ES256 => new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)),
        RS256 => new RsaSecurityKey(RSA.Create(3072)),
        EdDSA => Ed25519SecurityKey.Generate(),
        _ => throw new CryptographicException(Refusal(algorithm)),
    };

    internal static byte[] ExportPkcs8(SecurityKey key) => key switch
    {
        ECDsaSecurityKey ecdsa => ecdsa.ECDsa.ExportPkcs8PrivateKey(),
        RsaSecurityKey rsa => rsa.Rsa.ExportPkcs8PrivateKey(),
        Ed25519SecurityKey ed25519 => ed25519.ExportPkcs8(),
        _ => throw new CryptographicException("Unsupported key type."),
    };

    /// <summary>Frees (and, where the library does, wipes) the private key of a key that is no longer used.</summary>
    internal static void Destroy(SecurityKey key)
    {
        switch (key)
        {
            case ECDsaSecurityKey ecdsa:
                ecdsa.ECDsa.Dispose();
                break;
            case RsaSecurityKey { Rsa: { } rsa }:
                rsa.Dispose();
                break;
            case Ed25519SecurityKey { PrivateKey: { } ed25519 }:
                ed25519.Dispose();
                break;
        }
    }

    /// <exception cref="CryptographicException">The document is not a private key of the algorithm's type.</exception>
    internal static SecurityKey ImportPkcs8(string algorithm, ReadOnlySpan<byte> pkcs8)
    {
        if (algorithm == EdDSA)
        {
            return Ed25519SecurityKey.FromPkcs8(pkcs8);
        }

        AsymmetricAlgorithm key = algorithm.StartsWith("RS", StringComparison.Ordinal) ? RSA.Create() : ECDsa.Create();
        try
        {
            key.ImportPkcs8PrivateKey(pkcs8, out _);
            return key is RSA rsa ? new RsaSecurityKey(rsa) : new ECDsaSecurityKey((ECDsa)key);
        }
        catch
        {
            // Not this algorithm's key: the half-made one holds a native handle.
            key.Dispose();
            throw;
        }
    }
}
