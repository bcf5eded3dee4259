using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;
using NSec.Cryptography;

namespace Mandate.Core.Identity.Keys;

/// <summary>
/// An Ed25519 key (RFC 8037, JWS <c>alg</c> <c>EdDSA</c>) that Microsoft.IdentityModel can sign and verify with:
/// its crypto provider factory hands out <see cref="EdDsaSignatureProvider"/>, because the library has no Ed25519 of
/// its own. The curve arithmetic is libsodium's, through NSec.
/// </summary>
internal sealed class Ed25519SecurityKey : AsymmetricSecurityKey
{
    public const string Algorithm = "EdDSA";
    public const string Curve = "Ed25519";
    public const int PublicKeySize = 32;
    public const int SignatureSize = 64;

    // The private half is exported only to be encrypted under the key-encryption key (PrivateKeyProtector).
    private static KeyCreationParameters Exportable => new() { ExportPolicy = KeyExportPolicies.AllowPlaintextArchiving };

    private static readonly CryptoProviderFactory ProviderFactory = new() { CustomCryptoProvider = new EdDsaCryptoProvider() };

    private Ed25519SecurityKey(PublicKey publicKey, Key? privateKey)
    {
        PublicKey = publicKey;
        PrivateKey = privateKey;
        CryptoProviderFactory = ProviderFactory;
    }

    public PublicKey PublicKey { get; }

    /// <summary>The 32-byte public key, the JWK's <c>x</c>.</summary>
    public byte[] RawPublicKey => PublicKey.Export(KeyBlobFormat.RawPublicKey);

    internal Key? PrivateKey { get; }

    public override int KeySize => 256;

    [Obsolete("HasPrivateKey is obsolete in Microsoft.IdentityModel; use PrivateKeyStatus.")]
    public override bool HasPrivateKey => PrivateKey is not null;

    public override PrivateKeyStatus PrivateKeyStatus => PrivateKey is null ? PrivateKeyStatus.DoesNotExist : PrivateKeyStatus.Exists;

    /// <summary>A fresh key pair whose private half can be exported once, to be encrypted for the store.</summary>
    public static Ed25519SecurityKey Generate() => WithPrivate(Key.Create(SignatureAlgorithm.Ed25519, Exportable));

    /// <summary>The key a PKCS#8 document holds (RFC 8410), loaded so that it cannot be exported again.</summary>
    /// <exception cref="CryptographicException">The document is not an Ed25519 private key.</exception>
    public static Ed25519SecurityKey FromPkcs8(ReadOnlySpan<byte> pkcs8)
    {
        if (!Key.TryImport(SignatureAlgorithm.Ed25519, pkcs8, KeyBlobFormat.PkixPrivateKey, out var key, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.None }) || key is null)
        {
            throw new CryptographicException("The stored private key is not an Ed25519 PKCS#8 key.");
        }

        return WithPrivate(key);
    }

    /// <summary>A verification-only key from the 32 raw bytes of a JWK's <c>x</c>; null when they are not an Ed25519 public key.</summary>
    public static Ed25519SecurityKey? FromRawPublicKey(ReadOnlySpan<byte> x) =>
        x.Length == PublicKeySize && PublicKey.TryImport(SignatureAlgorithm.Ed25519, x, KeyBlobFormat.RawPublicKey, out var publicKey) && publicKey is not null
            ? new Ed25519SecurityKey(publicKey, null)
            : null;

    /// <summary>The private key as PKCS#8, for <see cref="PrivateKeyProtector"/>.</summary>
    public byte[] ExportPkcs8() =>
        (PrivateKey ?? throw new InvalidOperationException("This Ed25519 key has no private half.")).Export(KeyBlobFormat.PkixPrivateKey);

    /// <summary>The same public key without the private half.</summary>
    public Ed25519SecurityKey PublicOnly() => new(PublicKey, null);

    public byte[] Sign(ReadOnlySpan<byte> data) =>
        SignatureAlgorithm.Ed25519.Sign(PrivateKey ?? throw new InvalidOperationException("This Ed25519 key has no private half."), data);

    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        signature.Length == SignatureSize && SignatureAlgorithm.Ed25519.Verify(PublicKey, data, signature);

    public override bool CanComputeJwkThumbprint() => true;

    /// <summary>RFC 7638 / RFC 8037 §2: SHA-256 over <c>{"crv":"Ed25519","kty":"OKP","x":"…"}</c>.</summary>
    public override byte[] ComputeJwkThumbprint() =>
        SHA256.HashData(Encoding.UTF8.GetBytes($$"""{"crv":"{{Curve}}","kty":"OKP","x":"{{Base64UrlEncoder.Encode(RawPublicKey)}}"}"""));

    private static Ed25519SecurityKey WithPrivate(Key key) => new(key.PublicKey, key);
}
