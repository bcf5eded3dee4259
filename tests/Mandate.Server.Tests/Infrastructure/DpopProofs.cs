using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Mandate.Server.Tests.Infrastructure;

/// <summary>DPoP proofs as a client makes them (RFC 9449), for every test that presents a bound credential.</summary>
internal static class DpopProofs
{
    /// <summary>An RFC 9449 DPoP proof signed by <paramref name="key"/>, with <c>ath</c> when an access token is given.</summary>
    public static string Create(ECDsa key, string method, string uri, string? accessToken, DateTimeOffset now)
    {
        var parameters = key.ExportParameters(false);
        var jwk = new Dictionary<string, object>
        {
            ["kty"] = "EC",
            ["crv"] = "P-256",
            ["x"] = Base64UrlEncoder.Encode(parameters.Q.X),
            ["y"] = Base64UrlEncoder.Encode(parameters.Q.Y),
        };
        var claims = new Dictionary<string, object>
        {
            ["htm"] = method,
            ["htu"] = uri,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString("N"),
        };
        if (accessToken is not null)
        {
            claims["ath"] = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(accessToken)));
        }

        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(
            JsonSerializer.Serialize(claims),
            new SigningCredentials(new ECDsaSecurityKey(key), SecurityAlgorithms.EcdsaSha256),
            new Dictionary<string, object> { ["typ"] = "dpop+jwt", ["jwk"] = jwk });
    }
}
