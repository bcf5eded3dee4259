using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mandate.Server.Tests.Identity;

/// <summary>
/// A real OIDC-style token issuer for tests: a tiny Kestrel app on 127.0.0.1:0 serving its JWKS over HTTP, signing
/// tokens with real RSA and Ed25519 keys. Keys can be added (rotation) and fetches are counted.
/// </summary>
public sealed class TestOidcIssuer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly List<(string Kid, string Alg, IDisposable Key)> keys = [];
    private int fetches;

    private TestOidcIssuer(WebApplication app, string issuer)
    {
        this.app = app;
        Issuer = issuer;
    }

    public string Issuer { get; }

    public string JwksUri => Issuer + "/.well-known/jwks";

    public int JwksFetches => Volatile.Read(ref fetches);

    public RSA Rsa => (RSA)keys[0].Key;

    public static async Task<TestOidcIssuer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        TestOidcIssuer? self = null;
        app.MapGet("/.well-known/jwks", () =>
        {
            Interlocked.Increment(ref self!.fetches);
            return Results.Text(self.JwksJson(), "application/json");
        });
        // OIDC discovery (operator sign-in finds the JWKS through it).
        app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, string> { ["issuer"] = self!.Issuer, ["jwks_uri"] = self.JwksUri }));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self = new TestOidcIssuer(app, address.TrimEnd('/'));
        self.AddRsaKey("rsa-1");
        return self;
    }

    public string AddRsaKey(string kid)
    {
        lock (keys)
        {
            keys.Add((kid, "RS256", RSA.Create(2048)));
        }

        return kid;
    }

    /// <summary>Adds an Ed25519 key (RFC 8037 OKP JWK, alg EdDSA).</summary>
    public string AddEd25519Key(string kid)
    {
        lock (keys)
        {
            keys.Add((kid, "EdDSA", NSec.Cryptography.Key.Create(NSec.Cryptography.SignatureAlgorithm.Ed25519)));
        }

        return kid;
    }

    public string JwksJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("keys");
            lock (keys)
            {
                foreach (var (kid, alg, key) in keys)
                {
                    writer.WriteStartObject();
                    writer.WriteString("kid", kid);
                    writer.WriteString("alg", alg);
                    writer.WriteString("use", "sig");
                    if (key is RSA rsa)
                    {
                        var p = rsa.ExportParameters(false);
                        writer.WriteString("kty", "RSA");
                        writer.WriteString("n", B64(p.Modulus!));
                        writer.WriteString("e", B64(p.Exponent!));
                    }
                    else
                    {
                        writer.WriteString("kty", "OKP");
                        writer.WriteString("crv", "Ed25519");
                        writer.WriteString("x", B64(((NSec.Cryptography.Key)key).PublicKey.Export(NSec.Cryptography.KeyBlobFormat.RawPublicKey)));
                    }

                    writer.WriteEndObject();
                }
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Claims a GitHub Actions OIDC token carries (the subset the mapping rules use).</summary>
    public Dictionary<string, object> GitHubClaims(DateTimeOffset now, string audience, string repository = "acme/deploy", string reference = "refs/heads/main") => new()
    {
        ["iss"] = Issuer,
        ["aud"] = audience,
        ["sub"] = $"repo:{repository}:ref:{reference}",
        ["repository"] = repository,
        ["ref"] = reference,
        ["workflow"] = "deploy",
        ["iat"] = now.ToUnixTimeSeconds(),
        ["nbf"] = now.ToUnixTimeSeconds(),
        ["exp"] = now.AddMinutes(5).ToUnixTimeSeconds(),
        ["jti"] = Guid.NewGuid().ToString("N"),
    };

    /// <summary>Signs claims as a real JWS with the named key (default: the first): RSA PKCS#1 v1.5 or Ed25519, whatever <paramref name="alg"/> says.</summary>
    public string Sign(Dictionary<string, object> claims, string? kid = null, string alg = "RS256", IDictionary<string, object>? extraHeader = null)
    {
        (string Kid, string Alg, IDisposable Key) key;
        lock (keys)
        {
            key = kid is null ? keys[0] : keys.First(k => k.Kid == kid);
        }

        var header = new Dictionary<string, object> { ["alg"] = alg, ["kid"] = key.Kid, ["typ"] = "JWT" };
        if (extraHeader is not null)
        {
            foreach (var (k, v) in extraHeader)
            {
                header[k] = v;
            }
        }

        var input = B64(JsonSerializer.SerializeToUtf8Bytes(header)) + "." + B64(JsonSerializer.SerializeToUtf8Bytes(claims));
        var hash = alg switch
        {
            "RS384" => HashAlgorithmName.SHA384,
            "RS512" => HashAlgorithmName.SHA512,
            _ => HashAlgorithmName.SHA256,
        };
        var signature = key.Key is RSA rsa
            ? rsa.SignData(Encoding.ASCII.GetBytes(input), hash, RSASignaturePadding.Pkcs1)
            : NSec.Cryptography.SignatureAlgorithm.Ed25519.Sign((NSec.Cryptography.Key)key.Key, Encoding.ASCII.GetBytes(input));
        return input + "." + B64(signature);
    }

    /// <summary>A token "signed" with HMAC using the issuer's public key as the secret (the classic key-confusion attack).</summary>
    public string SignHmacWithPublicKey(Dictionary<string, object> claims)
    {
        var header = new Dictionary<string, object> { ["alg"] = "HS256", ["kid"] = keys[0].Kid, ["typ"] = "JWT" };
        var input = B64(JsonSerializer.SerializeToUtf8Bytes(header)) + "." + B64(JsonSerializer.SerializeToUtf8Bytes(claims));
        var secret = Encoding.UTF8.GetBytes(JwksJson());
        return input + "." + B64(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(input)));
    }

    public static string Unsigned(Dictionary<string, object> claims) =>
        B64("{\"alg\":\"none\",\"typ\":\"JWT\"}"u8.ToArray()) + "." + B64(JsonSerializer.SerializeToUtf8Bytes(claims)) + ".";

    public static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        foreach (var (_, _, key) in keys)
        {
            key.Dispose();
        }
    }
}
