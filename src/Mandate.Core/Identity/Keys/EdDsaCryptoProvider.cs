using Microsoft.IdentityModel.Tokens;

namespace Mandate.Core.Identity.Keys;

/// <summary>Plugs <see cref="EdDsaSignatureProvider"/> into Microsoft.IdentityModel for <see cref="Ed25519SecurityKey"/> and <c>EdDSA</c> only.</summary>
internal sealed class EdDsaCryptoProvider : ICryptoProvider
{
    public bool IsSupportedAlgorithm(string algorithm, params object[] args) =>
        string.Equals(algorithm, Ed25519SecurityKey.Algorithm, StringComparison.Ordinal) && args is [Ed25519SecurityKey, ..];

    public object Create(string algorithm, params object[] args)
    {
        if (!IsSupportedAlgorithm(algorithm, args))
        {
            throw new NotSupportedException($"The algorithm '{algorithm}' is not EdDSA over an Ed25519 key.");
        }

        var key = (Ed25519SecurityKey)args[0];
        var willCreateSignatures = args.Length > 1 && args[1] is true;
        if (willCreateSignatures && key.PrivateKeyStatus != PrivateKeyStatus.Exists)
        {
            throw new InvalidOperationException("Signing needs the Ed25519 key's private half.");
        }

        return new EdDsaSignatureProvider(key, willCreateSignatures);
    }

    public void Release(object cryptoInstance)
    {
        if (cryptoInstance is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }
}
