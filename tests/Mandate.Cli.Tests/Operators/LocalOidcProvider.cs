using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Mandate.Cli.Tests.Operators;

/// <summary>
/// An OIDC provider reduced to what sign-in checks: one RSA key published as an inline JWKS, and ID tokens signed with
/// it. The server is configured with <see cref="Settings"/>; nothing is served over the network.
/// </summary>
internal sealed class LocalOidcProvider : IDisposable
{
    public const string Issuer = "https://login.contract.example";
    public const string Audience = "mandate-console";

    private readonly RSA rsa = RSA.Create(2048);
    private readonly RsaSecurityKey key;

    public LocalOidcProvider()
    {
        key = new RsaSecurityKey(rsa) { KeyId = "local-1" };
    }

    /// <summary>The server settings that trust this provider (the operator's OIDC subject is the <c>email</c> claim).</summary>
    public IReadOnlyDictionary<string, string> Settings
    {
        get
        {
            var p = rsa.ExportParameters(false);
            var jwks = JsonSerializer.Serialize(new
            {
                keys = new[] { new { kty = "RSA", kid = key.KeyId, use = "sig", alg = "RS256", n = Base64UrlEncoder.Encode(p.Modulus), e = Base64UrlEncoder.Encode(p.Exponent) } },
            });
            return new Dictionary<string, string>
            {
                ["Mandate:Operators:Oidc:Issuer"] = Issuer,
                ["Mandate:Operators:Oidc:Audience"] = Audience,
                ["Mandate:Operators:Oidc:Jwks"] = jwks,
                ["Mandate:Operators:Oidc:Claim"] = "email",
            };
        }
    }

    /// <summary>An ID token for <paramref name="email"/>, issued now, valid for five minutes.</summary>
    public string IdToken(string email, string audience = Audience)
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(5),
            Claims = new Dictionary<string, object> { ["sub"] = "user-" + email, ["email"] = email },
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
    }

    public void Dispose() => rsa.Dispose();
}
