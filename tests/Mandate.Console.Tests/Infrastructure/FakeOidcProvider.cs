using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mandate.Console.Tests.Infrastructure;

/// <summary>
/// A tiny OIDC provider on loopback for the console's sign-in: discovery, a JWKS with one RSA key, an authorization
/// endpoint that signs in <see cref="NextSubject"/> at once and redirects back with a code, and a token endpoint that
/// checks the PKCE verifier, the redirect URI and the client secret and answers an RS256 ID token carrying the nonce.
/// Its issuer is <c>http://localhost:port</c> while the server is <c>http://127.0.0.1:port</c>: another site, as a real
/// provider is, so the browser treats the redirect back as the cross-site navigation it is. A code can be redeemed
/// again (its ID token is the same), as a careless provider would allow; <see cref="Issue"/> lets a test forge the ID token.
/// </summary>
internal sealed class FakeOidcProvider : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly RSA rsa = RSA.Create(2048);
    private readonly ConcurrentDictionary<string, Grant> grants = new(StringComparer.Ordinal);

    private FakeOidcProvider(WebApplication app, string issuer)
    {
        this.app = app;
        Issuer = issuer;
    }

    public const string Kid = "fake-rsa-1";

    public string Issuer { get; }

    public string ClientId { get; init; } = "mandate-console";

    public string ClientSecret { get; init; } = "fake-client-secret";

    /// <summary>The <c>email</c> the next sign-in at the authorization endpoint is for.</summary>
    public string NextSubject { get; set; } = "alice@example.org";

    /// <summary>Builds the ID token from the claims (default: signs them with the RSA key, RS256).</summary>
    public Func<Dictionary<string, object>, string>? Issue { get; set; }

    /// <summary>The query of the last authorization request.</summary>
    public IReadOnlyDictionary<string, string> LastAuthorization { get; private set; } = new Dictionary<string, string>();

    public static async Task<FakeOidcProvider> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        FakeOidcProvider? self = null;
        app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, string>
        {
            ["issuer"] = self!.Issuer,
            ["jwks_uri"] = self.Issuer + "/jwks",
            ["authorization_endpoint"] = self.Issuer + "/authorize",
            ["token_endpoint"] = self.Issuer + "/token",
        }));
        app.MapGet("/jwks", () => Results.Text(self!.Jwks(), "application/json"));
        app.MapGet("/authorize", (HttpContext c) => self!.Authorize(c));
        app.MapPost("/token", (HttpContext c, CancellationToken _) => self!.TokenAsync(c));
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        self = new FakeOidcProvider(app, $"http://localhost:{address.Port}");
        return self;
    }

    private IResult Authorize(HttpContext context)
    {
        var q = context.Request.Query.ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal);
        LastAuthorization = q;
        if (q.GetValueOrDefault("response_type") != "code" || q.GetValueOrDefault("client_id") != ClientId
            || q.GetValueOrDefault("code_challenge_method") != "S256" || string.IsNullOrEmpty(q.GetValueOrDefault("code_challenge"))
            || !(q.GetValueOrDefault("scope") ?? "").Split(' ').Contains("openid") || string.IsNullOrEmpty(q.GetValueOrDefault("redirect_uri")))
        {
            return Results.BadRequest("bad authorization request");
        }

        var code = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(24));
        grants[code] = new Grant(q["redirect_uri"], q["code_challenge"], q.GetValueOrDefault("nonce"), NextSubject);
        return Results.Redirect(QueryHelpers.AddQueryString(q["redirect_uri"], new Dictionary<string, string?> { ["code"] = code, ["state"] = q.GetValueOrDefault("state") }));
    }

    private async Task<IResult> TokenAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync();
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.EscapeDataString(ClientId) + ":" + Uri.EscapeDataString(ClientSecret)));
        if (context.Request.Headers.Authorization.ToString() != expected)
        {
            return Results.Json(new { error = "invalid_client" }, statusCode: 401);
        }

        if (form["grant_type"] != "authorization_code" || !grants.TryGetValue(form["code"].ToString(), out var grant)
            || form["redirect_uri"] != grant.RedirectUri
            || WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(form["code_verifier"].ToString()))) != grant.Challenge)
        {
            return Results.Json(new { error = "invalid_grant" }, statusCode: 400);
        }

        lock (grant)
        {
            if (grant.IdToken is null)
            {
                var now = DateTimeOffset.UtcNow;
                var claims = new Dictionary<string, object>
                {
                    ["iss"] = Issuer,
                    ["aud"] = ClientId,
                    ["sub"] = "user-" + grant.Subject,
                    ["email"] = grant.Subject,
                    ["iat"] = now.ToUnixTimeSeconds(),
                    ["exp"] = now.AddMinutes(5).ToUnixTimeSeconds(),
                    ["jti"] = Guid.NewGuid().ToString("N"),
                };
                if (grant.Nonce is not null)
                {
                    claims["nonce"] = grant.Nonce;
                }

                grant.IdToken = (Issue ?? (c => Sign(c)))(claims);
            }
        }

        return Results.Json(new Dictionary<string, object> { ["access_token"] = "opaque", ["token_type"] = "Bearer", ["id_token"] = grant.IdToken! });
    }

    public string Sign(Dictionary<string, object> claims, string alg = "RS256")
    {
        var input = B64(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["alg"] = alg, ["kid"] = Kid, ["typ"] = "JWT" }))
            + "." + B64(JsonSerializer.SerializeToUtf8Bytes(claims));
        return input + "." + B64(rsa.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    /// <summary>HS256 with the public JWKS as the HMAC secret (the key-confusion attack).</summary>
    public string SignHmac(Dictionary<string, object> claims)
    {
        var input = B64(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["alg"] = "HS256", ["kid"] = Kid, ["typ"] = "JWT" }))
            + "." + B64(JsonSerializer.SerializeToUtf8Bytes(claims));
        return input + "." + B64(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Jwks()), Encoding.ASCII.GetBytes(input)));
    }

    public static string Unsigned(Dictionary<string, object> claims) =>
        B64("{\"alg\":\"none\",\"typ\":\"JWT\"}"u8.ToArray()) + "." + B64(JsonSerializer.SerializeToUtf8Bytes(claims)) + ".";

    private string Jwks()
    {
        var p = rsa.ExportParameters(false);
        return JsonSerializer.Serialize(new { keys = new[] { new { kty = "RSA", kid = Kid, alg = "RS256", use = "sig", n = B64(p.Modulus!), e = B64(p.Exponent!) } } });
    }

    private static string B64(byte[] bytes) => WebEncoders.Base64UrlEncode(bytes);

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        rsa.Dispose();
    }

    private sealed class Grant(string redirectUri, string challenge, string? nonce, string subject)
    {
        public string RedirectUri { get; } = redirectUri;

        public string Challenge { get; } = challenge;

        public string? Nonce { get; } = nonce;

        public string Subject { get; } = subject;

        public string? IdToken { get; set; }
    }
}
