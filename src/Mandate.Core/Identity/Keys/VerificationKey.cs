using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Mandate.Core.Identity.Keys;

/// <summary>
/// A public key a JWS may be verified with, bound to the one algorithm it may be used with (alg pinning): a token whose
/// header names another algorithm is refused before any signature work.
/// </summary>
internal sealed class VerificationKey : IDisposable
{
    private VerificationKey(string kid, string algorithm, ECDsa? ecdsa, RSA? rsa, Ed25519SecurityKey? ed25519 = null)
    {
        Kid = kid;
        Algorithm = algorithm;
        Ecdsa = ecdsa;
        Rsa = rsa;
        Ed25519 = ed25519;
        SecurityKey = ecdsa is not null ? new ECDsaSecurityKey(ecdsa) : rsa is not null ? new RsaSecurityKey(rsa) : ed25519!;
        SecurityKey.KeyId = kid;
    }

    public string Kid { get; }

    public string Algorithm { get; }

    /// <summary>The same public key for Microsoft.IdentityModel consumers.</summary>
    public SecurityKey SecurityKey { get; }

    private ECDsa? Ecdsa { get; }

    private RSA? Rsa { get; }

    private Ed25519SecurityKey? Ed25519 { get; }

    /// <summary>Frees the public key's native handle (ECDSA, RSA); a key still in a published set must not be disposed.</summary>
    public void Dispose()
    {
        Ecdsa?.Dispose();
        Rsa?.Dispose();
    }

    /// <summary>Writes the public JWK's members (<c>kty</c>, curve or modulus, <c>kid</c>, <c>alg</c>, and <c>use</c> when given) into an object the caller opened.</summary>
    public void WriteJwkMembers(Utf8JsonWriter writer, string? use, bool includeKid = true, bool includeAlg = true)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (Ecdsa is not null)
        {
            var p = Ecdsa.ExportParameters(false);
            writer.WriteString("kty", "EC");
            writer.WriteString("crv", CurveName(Algorithm));
            writer.WriteString("x", Base64UrlEncoder.Encode(p.Q.X));
            writer.WriteString("y", Base64UrlEncoder.Encode(p.Q.Y));
        }
        else if (Ed25519 is not null)
        {
            writer.WriteString("kty", "OKP");
            writer.WriteString("crv", Ed25519SecurityKey.Curve);
            writer.WriteString("x", Base64UrlEncoder.Encode(Ed25519.RawPublicKey));
        }
        else
        {
            var p = Rsa!.ExportParameters(false);
            writer.WriteString("kty", "RSA");
            writer.WriteString("n", Base64UrlEncoder.Encode(p.Modulus));
            writer.WriteString("e", Base64UrlEncoder.Encode(p.Exponent));
        }

        if (includeKid)
        {
            writer.WriteString("kid", Kid);
        }

        if (includeAlg)
        {
            writer.WriteString("alg", Algorithm);
        }

        if (use is not null)
        {
            writer.WriteString("use", use);
        }
    }

    /// <summary>Verifies a JWS signature over <paramref name="signingInput"/>; <paramref name="algorithm"/> must be the key's own.</summary>
    public bool Verify(string algorithm, ReadOnlySpan<byte> signingInput, ReadOnlySpan<byte> signature)
    {
        if (!string.Equals(algorithm, Algorithm, StringComparison.Ordinal))
        {
            return false;
        }

        return Algorithm switch
        {
            "ES256" => Ecdsa!.VerifyData(signingInput, signature, HashAlgorithmName.SHA256),
            "ES384" => Ecdsa!.VerifyData(signingInput, signature, HashAlgorithmName.SHA384),
            "ES512" => Ecdsa!.VerifyData(signingInput, signature, HashAlgorithmName.SHA512),
            "RS256" => Rsa!.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            "RS384" => Rsa!.VerifyData(signingInput, signature, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1),
            "RS512" => Rsa!.VerifyData(signingInput, signature, HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1),
            "PS256" => Rsa!.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss),
            "PS384" => Rsa!.VerifyData(signingInput, signature, HashAlgorithmName.SHA384, RSASignaturePadding.Pss),
            "PS512" => Rsa!.VerifyData(signingInput, signature, HashAlgorithmName.SHA512, RSASignaturePadding.Pss),
            Ed25519SecurityKey.Algorithm => Ed25519!.Verify(signingInput, signature),
            _ => false,
        };
    }

    internal static VerificationKey FromPrivate(string kid, string algorithm, SecurityKey key) => key switch
    {
        ECDsaSecurityKey ecdsa => new VerificationKey(kid, algorithm, PublicOnly(ecdsa.ECDsa), null),
        RsaSecurityKey rsa => new VerificationKey(kid, algorithm, null, PublicOnly(rsa.Rsa)),
        Ed25519SecurityKey ed25519 => new VerificationKey(kid, algorithm, null, null, ed25519.PublicOnly()),
        _ => throw new CryptographicException("Unsupported key type."),
    };

    /// <summary>
    /// Builds a key from a JWK as published by an issuer. Returns null (with a reason) for keys that cannot verify a
    /// signature under the pinned algorithms: symmetric keys (so an HMAC "signed" with a public key never verifies),
    /// unknown types, mismatched curves, short RSA moduli, or a JWK whose <c>alg</c> is outside the pinned set.
    /// A key without <c>alg</c> gets the first pinned algorithm its type can use.
    /// </summary>
    public static VerificationKey? FromJwk(JsonElement jwk, IReadOnlyCollection<string> allowedAlgorithms, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(allowedAlgorithms);
        reason = null;
        if (jwk.ValueKind != JsonValueKind.Object)
        {
            reason = "not an object";
            return null;
        }

        var kid = Text(jwk, "kid");
        var kty = Text(jwk, "kty");
        var alg = Text(jwk, "alg");
        var use = Text(jwk, "use");
        if (string.IsNullOrEmpty(kid))
        {
            reason = "no kid";
            return null;
        }

        if (use is not null && use != "sig")
        {
            reason = "use is not sig";
            return null;
        }

        try
        {
            switch (kty)
            {
                case "EC":
                {
                    var crv = Text(jwk, "crv");
                    var (curve, curveAlg, size) = crv switch
                    {
                        "P-256" => (ECCurve.NamedCurves.nistP256, "ES256", 32),
                        "P-384" => (ECCurve.NamedCurves.nistP384, "ES384", 48),
                        "P-521" => (ECCurve.NamedCurves.nistP521, "ES512", 66),
                        _ => (default(ECCurve), null, 0),
                    };
                    if (curveAlg is null)
                    {
                        reason = "unsupported curve";
                        return null;
                    }

                    var chosen = alg ?? curveAlg;
                    if (chosen != curveAlg || !allowedAlgorithms.Contains(chosen))
                    {
                        reason = $"algorithm {chosen} is not pinned for this key";
                        return null;
                    }

                    var x = Base64UrlEncoder.DecodeBytes(Text(jwk, "x") ?? string.Empty);
                    var y = Base64UrlEncoder.DecodeBytes(Text(jwk, "y") ?? string.Empty);
                    if (x.Length != size || y.Length != size)
                    {
                        reason = "bad coordinates";
                        return null;
                    }

                    var ecdsa = ECDsa.Create(new ECParameters { Curve = curve, Q = new ECPoint { X = x, Y = y } });
                    return new VerificationKey(kid, chosen, ecdsa, null);
                }

                case "RSA":
                {
                    var chosen = alg ?? allowedAlgorithms.FirstOrDefault(a => a.StartsWith("RS", StringComparison.Ordinal) || a.StartsWith("PS", StringComparison.Ordinal));
                    if (chosen is null || !(chosen.StartsWith("RS", StringComparison.Ordinal) || chosen.StartsWith("PS", StringComparison.Ordinal)) || !allowedAlgorithms.Contains(chosen))
                    {
                        reason = $"algorithm {chosen ?? "(none)"} is not pinned for this key";
                        return null;
                    }

                    var n = Base64UrlEncoder.DecodeBytes(Text(jwk, "n") ?? string.Empty);
                    var e = Base64UrlEncoder.DecodeBytes(Text(jwk, "e") ?? string.Empty);
                    if (n.Length < 256 || e.Length == 0)
                    {
                        reason = "RSA modulus shorter than 2048 bits";
                        return null;
                    }

                    var rsa = RSA.Create(new RSAParameters { Modulus = n, Exponent = e });
                    return new VerificationKey(kid, chosen, null, rsa);
                }

                case "OKP":
                {
                    if (Text(jwk, "crv") != Ed25519SecurityKey.Curve)
                    {
                        reason = "unsupported curve";
                        return null;
                    }

                    var chosen = alg ?? Ed25519SecurityKey.Algorithm;
                    if (chosen != Ed25519SecurityKey.Algorithm || !allowedAlgorithms.Contains(chosen))
                    {
                        reason = $"algorithm {chosen} is not pinned for this key";
                        return null;
                    }

                    if (Ed25519SecurityKey.FromRawPublicKey(Base64UrlEncoder.DecodeBytes(Text(jwk, "x") ?? string.Empty)) is not { } ed25519)
                    {
                        reason = "bad public key";
                        return null;
                    }

                    return new VerificationKey(kid, chosen, null, null, ed25519);
                }

                default:
                    reason = $"key type {kty ?? "(none)"} cannot verify signatures here";
                    return null;
            }
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException or ArgumentException)
        {
            reason = "the key material is invalid";
            return null;
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string CurveName(string algorithm) => algorithm switch
    {
        "ES384" => "P-384",
        "ES512" => "P-521",
        _ => "P-256",
    };

    private static ECDsa PublicOnly(ECDsa key)
    {
        var copy = ECDsa.Create();
        copy.ImportParameters(key.ExportParameters(false));
        return copy;
    }

    private static RSA PublicOnly(RSA key)
    {
        var copy = RSA.Create();
        copy.ImportParameters(key.ExportParameters(false));
        return copy;
    }
}
