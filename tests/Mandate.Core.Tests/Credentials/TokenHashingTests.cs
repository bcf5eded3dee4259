using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Mandate.Core.Credentials;

namespace Mandate.Core.Tests.Credentials;

public sealed class TokenHashingTests
{
    // Past the stack threshold: encoded in a pooled array rather than on the stack.
    private static readonly string LongToken = "mdt_" + new string('x', TokenHashing.MaxStackChars);

    // Past the threshold in characters and up to four UTF-8 bytes each (pairs of surrogates).
    private static readonly string LongNonAsciiToken = string.Concat(Enumerable.Repeat("é日🔑", TokenHashing.MaxStackChars));

    [Theory]
    [InlineData("")]
    [InlineData("mdt_short")]
    [InlineData("jeton-é-ü-日本-🔑")]
    public void Sha256Utf8_ShouldEqualTheHashOfTheUtf8Bytes(string token) =>
        Assert.Equal(Expected(token), Hash(token));

    [Fact]
    public void Sha256Utf8_ShouldEqualTheHashOfTheUtf8Bytes_ForTokensPastTheStackThreshold()
    {
        Assert.True(LongToken.Length > TokenHashing.MaxStackChars);
        Assert.True(LongNonAsciiToken.Length > TokenHashing.MaxStackChars);

        Assert.Equal(Expected(LongToken), Hash(LongToken));
        Assert.Equal(Expected(LongNonAsciiToken), Hash(LongNonAsciiToken));
    }

    [Fact]
    public void Sha256Utf8_ShouldEqualTheHashOfTheUtf8Bytes_AtTheStackThreshold()
    {
        var token = new string('€', TokenHashing.MaxStackChars);
        Assert.Equal(Expected(token), Hash(token));
    }

    [Fact]
    public void Sha256Utf8_ShouldEncodeAnUnpairedSurrogateAsEncodingUtf8Does()
    {
        // Stored hashes were made with Encoding.UTF8.GetBytes, which writes U+FFFD for it: so does the helper.
        var token = "mdt_\uD800x";
        Assert.Equal(Expected(token), Hash(token));
        Assert.Equal(Expected("mdt_\uFFFDx"), Hash(token));
    }

    [Fact]
    public void Sha256Utf8_ShouldRefuseADestinationShorterThanAHash() =>
        Assert.Throws<ArgumentException>(() => TokenHashing.Sha256Utf8("mdt_short", new byte[SHA256.HashSizeInBytes - 1]));

    [Fact]
    public void OfUtf8_ShouldBeTheHashOfTheUtf8Bytes_InStoredHex()
    {
        foreach (var token in new[] { "", "mpt_short", "jeton-é-ü-日本-🔑", LongToken })
        {
            Assert.Equal(Convert.ToHexStringLower(Expected(token)), TokenDigest.OfUtf8(token).ToHex());
        }
    }

    [Fact]
    public void OfUtf16_ShouldBeTheHashOfTheTextInMemory_AndTellUnpairedSurrogatesApart()
    {
        const string Token = "eyJ.é.🔑";
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(Token.AsSpan()))), TokenDigest.OfUtf16(Token).ToHex());

        // The cache key must differ for texts that differ, even where UTF-8 would encode both as U+FFFD.
        Assert.Equal(TokenDigest.OfUtf8("a\uD800"), TokenDigest.OfUtf8("a\uD801"));
        Assert.NotEqual(TokenDigest.OfUtf16("a\uD800"), TokenDigest.OfUtf16("a\uD801"));
    }

    [Fact]
    public void Digests_ShouldBeEqualExactlyForEqualTokens()
    {
        Assert.Equal(TokenDigest.OfUtf8("mpt_" + new string('a', 40)), TokenDigest.OfUtf8("mpt_" + new string('a', 40)));
        Assert.NotEqual(TokenDigest.OfUtf8("mpt_" + new string('a', 40)), TokenDigest.OfUtf8("mpt_" + new string('a', 39) + "b"));
        Assert.Equal(TokenDigest.OfUtf8("x").GetHashCode(), TokenDigest.OfUtf8("x").GetHashCode());
    }

    private static byte[] Expected(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private static byte[] Hash(string token)
    {
        var hash = new byte[SHA256.HashSizeInBytes];
        TokenHashing.Sha256Utf8(token, hash);
        return hash;
    }
}
