using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mandate.Core.Identity.Keys;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Mandate.Core.Tests.Identity;

/// <summary>
/// EdDSA against the worked example of RFC 8037 Appendix A (key, thumbprint, JWS signature), and the JWK checks that
/// keep a federated issuer's OKP key pinned.
/// </summary>
public sealed class Ed25519Rfc8037Tests
{
    // RFC 8037 A.1 and A.2: the example key pair.
    private const string D = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
    private const string X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

    // RFC 8037 A.3: its RFC 7638 thumbprint.
    private const string Thumbprint = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k";

    // RFC 8037 A.4: protected header {"alg":"EdDSA"}, payload "Example of Ed25519 signing", and the signature.
    private const string SigningInput = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
    private const string Signature = "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

    private static readonly string[] EdDsaPinned = ["EdDSA"];

    /// <summary>The RFC 8410 PKCS#8 wrapping of the example's 32-byte private key (how the key ring stores Ed25519 keys).</summary>
    private static byte[] ExamplePkcs8() => [.. Convert.FromHexString("302e020100300506032b657004220420"), .. Base64UrlEncoder.DecodeBytes(D)];

    private static JsonElement Jwk(string json) => JsonDocument.Parse(json).RootElement;

    [Fact]
    public void ExampleKey_ShouldHaveTheRfcPublicKeyAndThumbprint()
    {
        var key = Ed25519SecurityKey.FromPkcs8(ExamplePkcs8());
        Assert.Equal(X, Base64UrlEncoder.Encode(key.RawPublicKey));
        Assert.Equal(Thumbprint, Base64UrlEncoder.Encode(key.ComputeJwkThumbprint()));
    }

    [Fact]
    public void Signing_ShouldReproduceTheRfcSignature_WhichIsDeterministic()
    {
        var key = Ed25519SecurityKey.FromPkcs8(ExamplePkcs8());
        Assert.Equal(Signature, Base64UrlEncoder.Encode(key.Sign(Encoding.ASCII.GetBytes(SigningInput))));
    }

    [Fact]
    public void RfcSignature_ShouldVerifyWithTheJwk_AndFailWhenAnythingChanges()
    {
        var key = VerificationKey.FromJwk(Jwk($$"""{"kty":"OKP","crv":"Ed25519","x":"{{X}}","kid":"rfc8037"}"""), EdDsaPinned, out var reason);
        Assert.NotNull(key);
        Assert.Null(reason);
        Assert.Equal("EdDSA", key.Algorithm);
        var input = Encoding.ASCII.GetBytes(SigningInput);
        var signature = Base64UrlEncoder.DecodeBytes(Signature);
        Assert.True(key.Verify("EdDSA", input, signature));

        Assert.False(key.Verify("ES256", input, signature), "the key is pinned to EdDSA");
        var tampered = (byte[])signature.Clone();
        tampered[10] ^= 1;
        Assert.False(key.Verify("EdDSA", input, tampered));
        input[^1] ^= 1;
        Assert.False(key.Verify("EdDSA", input, signature));
        Assert.False(key.Verify("EdDSA", Encoding.ASCII.GetBytes(SigningInput), signature.AsSpan(0, 63)));
    }

    [Fact]
    public void Jwk_ShouldBeWrittenAsOkp_WithoutThePrivateKey()
    {
        var key = VerificationKey.FromJwk(Jwk($$"""{"kty":"OKP","crv":"Ed25519","x":"{{X}}","kid":"rfc8037","alg":"EdDSA"}"""), EdDsaPinned, out _)!;
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            key.WriteJwkMembers(writer, "sig");
            writer.WriteEndObject();
        }

        Assert.Equal($$"""{"kty":"OKP","crv":"Ed25519","x":"{{X}}","kid":"rfc8037","alg":"EdDSA","use":"sig"}""", Encoding.UTF8.GetString(stream.ToArray()));
    }

    [Theory]
    [InlineData("""{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"k"}""", "ES256", "not pinned")]
    [InlineData("""{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"k","alg":"ES256"}""", "EdDSA", "not pinned")]
    [InlineData("""{"kty":"OKP","crv":"X25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"k"}""", "EdDSA", "unsupported curve")]
    [InlineData("""{"kty":"OKP","crv":"Ed448","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"k"}""", "EdDSA", "unsupported curve")]
    [InlineData("""{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcH","kid":"k"}""", "EdDSA", "bad public key")]
    [InlineData("""{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHU","kid":"k"}""", "EdDSA", "invalid")]
    [InlineData("""{"kty":"OKP","crv":"Ed25519","kid":"k"}""", "EdDSA", "bad public key")]
    [InlineData("""{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"k","use":"enc"}""", "EdDSA", "use is not sig")]
    public void Jwk_ShouldRefuseOkpKeysThatCannotVerifyUnderThePin(string json, string pinned, string expectedReason)
    {
        Assert.Null(VerificationKey.FromJwk(Jwk(json), [pinned], out var reason));
        Assert.Contains(expectedReason, reason, StringComparison.Ordinal);
    }

    [Fact]
    public void FromPkcs8_ShouldRefuseAKeyOfAnotherType()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.Throws<CryptographicException>(() => Ed25519SecurityKey.FromPkcs8(ecdsa.ExportPkcs8PrivateKey()));
    }

    [Fact]
    public void GeneratedKey_ShouldRoundTripThroughPkcs8()
    {
        var key = Ed25519SecurityKey.Generate();
        var reloaded = Ed25519SecurityKey.FromPkcs8(key.ExportPkcs8());
        Assert.Equal(key.RawPublicKey, reloaded.RawPublicKey);
        var data = "payload"u8.ToArray();
        Assert.True(reloaded.PublicOnly().Verify(data, key.Sign(data)));
        Assert.Equal(PrivateKeyStatus.DoesNotExist, key.PublicOnly().PrivateKeyStatus);

        // Only a new key is exported (once, to be encrypted for the store); a loaded one never is.
        Assert.ThrowsAny<InvalidOperationException>(() => reloaded.ExportPkcs8());
    }

    [Fact]
    public async Task IdentityModel_ShouldSignAndValidateEdDsaTokens_ThroughTheKeysCryptoProvider()
    {
        var key = Ed25519SecurityKey.FromPkcs8(ExamplePkcs8());
        key.KeyId = Thumbprint;
        var handler = new JsonWebTokenHandler();
        var token = handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "https://issuer.example",
            Audience = "rp",
            Expires = DateTime.UtcNow.AddMinutes(5),
            SigningCredentials = new SigningCredentials(key, "EdDSA"),
        });

        var parameters = new TokenValidationParameters
        {
            ValidIssuer = "https://issuer.example",
            ValidAudience = "rp",
            IssuerSigningKey = key.PublicOnly(),
            ValidAlgorithms = ["EdDSA"],
        };
        var result = await handler.ValidateTokenAsync(token, parameters);
        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.Equal("EdDSA", new JsonWebToken(token).Alg);

        var parts = token.Split('.');
        var forged = parts[0] + "." + Base64UrlEncoder.Encode("{\"iss\":\"https://issuer.example\",\"aud\":\"rp\",\"exp\":4102444800}") + "." + parts[2];
        Assert.False((await handler.ValidateTokenAsync(forged, parameters)).IsValid);

        parameters.ValidAlgorithms = ["ES256"];
        Assert.False((await handler.ValidateTokenAsync(token, parameters)).IsValid);
    }
}
