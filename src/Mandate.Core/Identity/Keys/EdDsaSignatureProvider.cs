using Microsoft.IdentityModel.Tokens;

namespace Mandate.Core.Identity.Keys;

/// <summary>EdDSA (Ed25519) signatures for Microsoft.IdentityModel; every overload ends in <see cref="Ed25519SecurityKey"/>.</summary>
internal sealed class EdDsaSignatureProvider : SignatureProvider
{
    private readonly Ed25519SecurityKey key;

    public EdDsaSignatureProvider(Ed25519SecurityKey key, bool willCreateSignatures)
        : base(key, Ed25519SecurityKey.Algorithm)
    {
        this.key = key;
        WillCreateSignatures = willCreateSignatures;
    }

    public override byte[] Sign(byte[] input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return key.Sign(input);
    }

    public override byte[] Sign(byte[] input, int offset, int count)
    {
        ArgumentNullException.ThrowIfNull(input);
        return key.Sign(input.AsSpan(offset, count));
    }

    public override bool Sign(ReadOnlySpan<byte> data, Span<byte> destination, out int bytesWritten)
    {
        bytesWritten = 0;
        if (destination.Length < Ed25519SecurityKey.SignatureSize)
        {
            return false;
        }

        key.Sign(data).CopyTo(destination);
        bytesWritten = Ed25519SecurityKey.SignatureSize;
        return true;
    }

    public override bool Verify(byte[] input, byte[] signature)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(signature);
        return key.Verify(input, signature);
    }

    public override bool Verify(byte[] input, int inputOffset, int inputLength, byte[] signature, int signatureOffset, int signatureLength)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(signature);
        return key.Verify(input.AsSpan(inputOffset, inputLength), signature.AsSpan(signatureOffset, signatureLength));
    }

    protected override void Dispose(bool disposing)
    {
        // The key belongs to the key ring or the JWKS it came from, not to this provider.
    }
}
