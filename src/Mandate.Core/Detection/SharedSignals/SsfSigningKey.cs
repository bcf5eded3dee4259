using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mandate.Core.Identity.Keys;
using Mandate.Core.Storage;
using Microsoft.IdentityModel.Tokens;

namespace Mandate.Core.Detection.SharedSignals;

/// <summary>
/// The transmitter's own ES256 key, apart from the identity key ring (a receiver trusting Mandate's SETs does not
/// thereby trust its workload credentials, and the other way round): created once and stored with the private half
/// encrypted under the key-encryption key; every stored key is published at the transmitter's <c>jwks_uri</c>, the
/// oldest signs (so every node signs with the same one). Signs compact JWS with <c>typ</c> <c>secevent+jwt</c>.
/// </summary>
internal sealed class SsfSigningKey(IMandateStore store, PrivateKeyProtector protector, TimeProvider time) : IDisposable
{
    public const string Algorithm = "ES256";
    public const string TokenType = "secevent+jwt";

    private ECDsa? signer;
    private string? kid;
    private string jwks = """{"keys":[]}""";

    public string Kid => kid ?? throw new InvalidOperationException("The Shared Signals key is not loaded yet.");

    /// <summary>The public JWK set (every stored key).</summary>
    public string Jwks => jwks;

    /// <summary>Loads the stored keys, creating the first one when there is none.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var session = await store.BeginAsync(StoreIntent.Write, cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var repository = session.Get<ISsfRepository>();
            if ((await repository.ListKeysAsync(cancellationToken).ConfigureAwait(false)).Count == 0)
            {
                using var created = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                var parameters = created.ExportParameters(false);
                var newKid = Base64UrlEncoder.Encode(JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(created)).ComputeJwkThumbprint());
                var pkcs8 = created.ExportPkcs8PrivateKey();
                try
                {
                    await repository.AddKeyAsync(newKid, PublicJwk(newKid, parameters), Convert.ToBase64String(protector.Protect(Binding(newKid), pkcs8)), time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(pkcs8);
                }

                await session.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        IReadOnlyList<(string Kid, string PublicJwk, string PrivateKey)> keys;
        var read = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using (read.ConfigureAwait(false))
        {
            keys = await read.Get<ISsfRepository>().ListKeysAsync(cancellationToken).ConfigureAwait(false);
        }

        var (signingKid, _, privateKey) = keys[0];
        var plain = protector.Unprotect(Binding(signingKid), Convert.FromBase64String(privateKey));
        try
        {
            var key = ECDsa.Create();
            key.ImportPkcs8PrivateKey(plain, out _);
            Interlocked.Exchange(ref signer, key)?.Dispose();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }

        kid = signingKid;
        jwks = "{\"keys\":[" + string.Join(',', keys.Select(k => k.PublicJwk)) + "]}";
    }

    /// <summary>A compact JWS over <paramref name="payloadJson"/>: header <c>{"alg":"ES256","kid","typ":"secevent+jwt"}</c>.</summary>
    public string Sign(string payloadJson)
    {
        var key = signer ?? throw new InvalidOperationException("The Shared Signals key is not loaded yet.");
        var header = JsonSerializer.Serialize(new Dictionary<string, string> { ["alg"] = Algorithm, ["kid"] = Kid, ["typ"] = TokenType });
        var signingInput = Base64UrlEncoder.Encode(header) + "." + Base64UrlEncoder.Encode(payloadJson);

        // .NET signs ECDSA in the IEEE P1363 form (r || s), which is what JWS ES256 uses.
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256);
        return signingInput + "." + Base64UrlEncoder.Encode(signature);
    }

    public void Dispose() => signer?.Dispose();

    private static string PublicJwk(string kid, ECParameters parameters) => JsonSerializer.Serialize(new Dictionary<string, string>
    {
        ["kty"] = "EC",
        ["crv"] = "P-256",
        ["x"] = Base64UrlEncoder.Encode(parameters.Q.X),
        ["y"] = Base64UrlEncoder.Encode(parameters.Q.Y),
        ["kid"] = kid,
        ["use"] = "sig",
        ["alg"] = Algorithm,
    });

    private static string Binding(string kid) => "ssf:" + kid;
}
