using System.Text;
using Mandate.Core.Identity;
using Mandate.Core.Identity.Svid;

namespace Mandate.Core.Tests.Identity;

public sealed class CompactJwsTests
{
    private static string B64(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d")]
    [InlineData("..")]
    [InlineData("a..c")]
    [InlineData("a.b.")]
    [InlineData("a+b.c.d")]
    [InlineData("eyJ.e30.c2ln")]
    public void TryParse_ShouldRefuseMalformedTokens(string token)
    {
        Assert.False(CompactJws.TryParse(token, out _, out var error));
        Assert.Equal(IdentityErrorCodes.TokenMalformed, error!.Code);
    }

    [Fact]
    public void TryParse_ShouldRefuseTokensOver16KiB_BeforeDecoding()
    {
        var token = B64("{\"alg\":\"ES256\"}") + "." + new string('a', CompactJws.MaxTokenLength) + ".c2ln";
        Assert.False(CompactJws.TryParse(token, out _, out var error));
        Assert.Equal(IdentityErrorCodes.TokenTooLarge, error!.Code);
    }

    [Fact]
    public void TryParse_ShouldRefuseAHeaderOrPayloadThatIsNotUtf8()
    {
        // A lone continuation byte inside a claim string: System.Text.Json would only throw when the claim is read.
        static string B64Bytes(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        byte[] badPayload = [.. "{\"sub\":\""u8, 0xA2, .. "\"}"u8];
        byte[] badHeader = [.. "{\"alg\":\"ES256\",\"kid\":\""u8, 0xFF, .. "\"}"u8];

        Assert.False(CompactJws.TryParse(B64("{\"alg\":\"ES256\"}") + "." + B64Bytes(badPayload) + ".c2ln", out _, out var payloadError));
        Assert.Equal(IdentityErrorCodes.TokenMalformed, payloadError!.Code);
        Assert.False(CompactJws.TryParse(B64Bytes(badHeader) + "." + B64("{}") + ".c2ln", out _, out var headerError));
        Assert.Equal(IdentityErrorCodes.TokenMalformed, headerError!.Code);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("[]")]
    [InlineData("{\"alg\":1}")]
    [InlineData("{\"alg\":\"ES256\",\"alg\":\"none\"}")]
    [InlineData("{\"alg\":\"ES256\",\"crit\":[\"exp\"]}")]
    [InlineData("{\"alg\":\"ES256\"} trailing")]
    public void TryParse_ShouldRefuseBadHeaders(string header)
    {
        Assert.False(CompactJws.TryParse(B64(header) + "." + B64("{}") + ".c2ln", out _, out var error));
        Assert.Equal(IdentityErrorCodes.TokenMalformed, error!.Code);
    }

    [Fact]
    public void TryParse_ShouldReadAlgKidAndTyp()
    {
        Assert.True(CompactJws.TryParse(B64("{\"alg\":\"ES256\",\"kid\":\"k1\",\"typ\":\"JWT\",\"x\":{\"y\":[1]}}") + "." + B64("{}") + ".c2ln", out var jws, out _));
        Assert.Equal("ES256", jws!.Algorithm);
        Assert.Equal("k1", jws.Kid);
        Assert.Equal("JWT", jws.Type);
        Assert.Equal("sig"u8.ToArray(), jws.Signature);
    }

    [Theory]
    [InlineData("{\"sub\":1}")]
    [InlineData("{\"aud\":5}")]
    [InlineData("{\"aud\":[\"a\",1]}")]
    [InlineData("{\"exp\":\"tomorrow\"}")]
    [InlineData("{\"exp\":1e300}")]
    [InlineData("{\"sub\":\"a\",\"sub\":\"b\"}")]
    [InlineData("not json")]
    public void ClaimSet_ShouldRefuseWrongClaimTypes(string payload)
    {
        Assert.False(JwtClaimSet.TryRead(Encoding.UTF8.GetBytes(payload), out _, out var problem));
        Assert.NotNull(problem);
    }

    [Fact]
    public void ClaimSet_ShouldAcceptStringOrArrayAudiences()
    {
        Assert.True(JwtClaimSet.TryRead("{\"aud\":\"x\",\"exp\":10}"u8, out var single, out _));
        Assert.Equal(["x"], single!.Audiences);
        Assert.True(JwtClaimSet.TryRead("{\"aud\":[\"x\",\"y\"],\"exp\":10.5}"u8, out var many, out _));
        Assert.Equal(["x", "y"], many!.Audiences);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(10), many.ExpiresAt);
    }
}
