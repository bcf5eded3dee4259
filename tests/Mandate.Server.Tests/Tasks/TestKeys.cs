using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Mandate.Server.Tests.Tasks;

/// <summary>An ES256 key standing for an external issuer: signs JWTs and publishes its public JWKS.</summary>
public sealed class TestKey : IDisposable
{
    private readonly ECDsa ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestKey(string kid)
    {
        Kid = kid;
        Key = new ECDsaSecurityKey(ecdsa) { KeyId = kid };
    }

    public string Kid { get; }

    public ECDsaSecurityKey Key { get; }

    public SigningCredentials Credentials => new(Key, SecurityAlgorithms.EcdsaSha256);

    public string Jwks()
    {
        var parameters = ecdsa.ExportParameters(false);
        return JsonSerializer.Serialize(new
        {
            keys = new[]
            {
                new { kty = "EC", crv = "P-256", kid = Kid, use = "sig", alg = "ES256", x = Base64UrlEncoder.Encode(parameters.Q.X), y = Base64UrlEncoder.Encode(parameters.Q.Y) },
            },
        });
    }

    public static string Sign(string payloadJson, SigningCredentials credentials, string type = "JWT") =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(payloadJson, credentials, new Dictionary<string, object> { ["typ"] = type });

    public void Dispose() => ecdsa.Dispose();
}
