using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Mandate.Core.Audit;

/// <summary>A checkpoint verification key: an EC P-256 public key with its key id, as a JWK.</summary>
internal sealed record AuditPublicKey(string KeyId, string Algorithm, string Curve, string X, string Y)
{
    public const string Es256 = "ES256";

    public static AuditPublicKey FromEcdsa(string keyId, ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var parameters = key.ExportParameters(includePrivateParameters: false);
        return new AuditPublicKey(keyId, Es256, "P-256", Base64UrlEncoder.Encode(parameters.Q.X), Base64UrlEncoder.Encode(parameters.Q.Y));
    }

    /// <summary>Reads a JWK (<c>kty</c> EC, <c>crv</c> P-256, <c>x</c>, <c>y</c>, <c>kid</c>). Throws <see cref="FormatException"/> naming what is wrong.</summary>
    public static AuditPublicKey FromJwk(JsonElement jwk)
    {
        if (jwk.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("the key is not a JSON object (JWK)");
        }

        string Member(string name) =>
            jwk.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
                ? text
                : throw new FormatException($"the JWK has no '{name}'");

        if (Member("kty") != "EC" || Member("crv") != "P-256")
        {
            throw new FormatException("the JWK is not an EC P-256 key");
        }

        var algorithm = jwk.TryGetProperty("alg", out var alg) && alg.ValueKind == JsonValueKind.String ? alg.GetString()! : Es256;
        if (algorithm != Es256)
        {
            throw new FormatException($"the JWK's alg is {algorithm}, not ES256");
        }

        var key = new AuditPublicKey(Member("kid"), algorithm, "P-256", Member("x"), Member("y"));
        using var _ = key.ToEcdsa();
        return key;
    }

    public ECDsa ToEcdsa()
    {
        try
        {
            return ECDsa.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = Base64UrlEncoder.DecodeBytes(X), Y = Base64UrlEncoder.DecodeBytes(Y) },
            });
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException or ArgumentException)
        {
            throw new FormatException("the JWK's x/y are not a point on P-256", ex);
        }
    }

    public bool Verify(byte[] data, string signature)
    {
        byte[] bytes;
        try
        {
            bytes = Base64UrlEncoder.DecodeBytes(signature);
        }
        catch (FormatException)
        {
            return false;
        }

        using var key = ToEcdsa();
        return key.VerifyData(data, bytes, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    public void WriteJwk(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString("kty", "EC");
        writer.WriteString("crv", Curve);
        writer.WriteString("x", X);
        writer.WriteString("y", Y);
        writer.WriteString("kid", KeyId);
        writer.WriteString("alg", Algorithm);
        writer.WriteString("use", "sig");
        writer.WriteEndObject();
    }

    public string ToJwkJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            WriteJwk(writer);
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>RFC 7638 JWK thumbprint, used as the key id.</summary>
    public static string Thumbprint(string x, string y)
    {
        var canonical = $"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{x}\",\"y\":\"{y}\"}}";
        return Base64UrlEncoder.Encode(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(canonical)));
    }
}
