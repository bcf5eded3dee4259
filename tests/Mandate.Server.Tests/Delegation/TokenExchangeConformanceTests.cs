using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mandate.Core.Delegation;
using Mandate.Core.Identity;
using Mandate.Core.Identity.Keys;
using Mandate.Server.Tests.Infrastructure;
using Mandate.Server.Tests.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace Mandate.Server.Tests.Delegation;

/// <summary>
/// Runs every case of tests/conformance/token-exchange through the real <c>/oauth2/token</c>: the decoded claims of
/// each case become real JWTs signed by the server's key ring (tokens whose <c>iss</c> is the STS) or by test keys
/// standing for the external issuers and the example.org trust domain, which the server is configured to trust.
/// </summary>
public sealed class TokenExchangeConformanceTests(TokenExchangeConformanceTests.Servers servers) : IClassFixture<TokenExchangeConformanceTests.Servers>
{
    private const string ClientSecret = "conformance-secret";

    public static TheoryData<string> CaseIds => [.. Cases().Select(c => c.GetProperty("id").GetString()!)];

    [Theory]
    [MemberData(nameof(CaseIds))]
    public async Task Case_ShouldPass_ThroughTheTokenEndpoint(string id)
    {
        var testCase = Cases().Single(c => c.GetProperty("id").GetString() == id);
        var setup = Setup.For(testCase);
        var server = await servers.GetAsync(setup);
        var keyRing = server.Services.GetRequiredService<IKeyRing>();
        var form = new List<KeyValuePair<string, string>>();
        string? subjectToken = null;
        foreach (var member in testCase.GetProperty("request").EnumerateObject())
        {
            var value = member.Value.GetString()!;
            if (value == "$subject")
            {
                value = subjectToken = Mint(testCase.GetProperty("subject_token"), keyRing, setup);
            }
            else if (value == "$actor")
            {
                value = Mint(testCase.GetProperty("actor_token"), keyRing, setup);
            }
            else if (member.Name == "subject_token" && id == "te-rfc-a1")
            {
                // The RFC prints an opaque access token without its claims; Mandate's own access tokens are JWTs, so
                // the test mints one for the example's subject, scope and 60-second remaining lifetime.
                value = subjectToken = TestKey.Sign(
                    new JsonObject { ["iss"] = setup.Issuer, ["sub"] = "bdc@example.com", ["aud"] = setup.Issuer, ["scope"] = "api", ["exp"] = setup.Now + 60 }.ToJsonString(),
                    keyRing.CurrentSigningCredentials());
            }

            form.Add(new(member.Name, value));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/oauth2/token") { Content = new FormUrlEncodedContent(form) };
        Authenticate(request, form, testCase, setup);
        using var response = await server.Client.SendAsync(request, TestContext.Current.CancellationToken);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
        var expected = testCase.GetProperty("expected");

        Assert.Contains("no-store", response.Headers.CacheControl?.ToString() ?? string.Empty, StringComparison.Ordinal);
        if (expected.GetProperty("outcome").GetString() == "error")
        {
            var acceptable = new List<string> { expected.GetProperty("error").GetString()! };
            if (expected.TryGetProperty("also_acceptable_error", out var also))
            {
                acceptable.Add(also.GetString()!);
            }

            Assert.True((int)response.StatusCode == expected.GetProperty("status").GetInt32(), $"{id}: status {(int)response.StatusCode}, body {body}");
            Assert.Contains(body.GetProperty("error").GetString(), acceptable);
            Assert.False(string.IsNullOrEmpty(body.GetProperty("error_description").GetString()));
            if (id == "te-18")
            {
                Assert.Contains("4 actors deep", body.GetProperty("error_description").GetString(), StringComparison.Ordinal);
                Assert.Contains("maximum depth of 3", body.GetProperty("error_description").GetString(), StringComparison.Ordinal);
            }

            return;
        }

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{id}: status {(int)response.StatusCode}, body {body}");
        if (expected.TryGetProperty("response", out var expectedResponse))
        {
            foreach (var member in expectedResponse.EnumerateObject())
            {
                Assert.True(JsonElement.DeepEquals(member.Value, body.GetProperty(member.Name)), $"{id}: response.{member.Name} is {body.GetProperty(member.Name)}, expected {member.Value}");
            }
        }

        var issued = Claims(body.GetProperty("access_token").GetString()!);
        foreach (var member in expected.GetProperty("issued_token_claims").EnumerateObject())
        {
            switch (member.Name)
            {
                case "iat":
                    continue;
                case "exp" when id == "te-rfc-a1":
                    // Absolute times in the RFC are from 2015; the lifetime they imply (exp - iat = 60 s) is what is checked.
                    var iat = expected.GetProperty("issued_token_claims").GetProperty("iat").GetInt64();
                    Assert.Equal(member.Value.GetInt64() - iat, issued.GetProperty("exp").GetInt64() - issued.GetProperty("iat").GetInt64());
                    continue;
                case "exp" when id == "te-rfc-a2-delegation":
                    // The printed exp outlives the subject token; Mandate never extends a lifetime (te-01's project
                    // policy), so with the clock 3600 s before the subject's exp the issued exp is the subject's exp.
                    Assert.Equal(testCase.GetProperty("subject_token").GetProperty("claims").GetProperty("exp").GetInt64(), issued.GetProperty("exp").GetInt64());
                    continue;
                default:
                    Assert.True(issued.TryGetProperty(member.Name, out var actual), $"{id}: issued token has no {member.Name}");
                    Assert.True(JsonElement.DeepEquals(member.Value, actual), $"{id}: issued {member.Name} is {actual}, expected {member.Value}");
                    break;
            }
        }

        if (expected.TryGetProperty("issued_token_must_not_contain", out var forbidden))
        {
            foreach (var name in forbidden.EnumerateArray())
            {
                Assert.False(issued.TryGetProperty(name.GetString()!, out _), $"{id}: issued token must not contain {name}");
            }
        }

        // Project policy for every issued token: never beyond the subject token's expiry.
        Assert.True(issued.GetProperty("exp").GetInt64() <= Claims(subjectToken!).GetProperty("exp").GetInt64());
    }

    private static void Authenticate(HttpRequestMessage request, List<KeyValuePair<string, string>> form, JsonElement testCase, Setup setup)
    {
        var clientId = testCase.TryGetProperty("client", out var client) ? client.GetProperty("client_id").GetString()! : "conformance-client";
        if (clientId.StartsWith("spiffe://", StringComparison.Ordinal))
        {
            // A JWT-SVID of the example.org trust domain as an RFC 7523 client assertion.
            var assertion = TestKey.Sign(
                new JsonObject { ["sub"] = clientId, ["aud"] = setup.Issuer, ["exp"] = setup.Now + 300, ["jti"] = Guid.NewGuid().ToString("N") }.ToJsonString(),
                Servers.ExampleOrg.Credentials);
            form.Add(new("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"));
            form.Add(new("client_assertion", assertion));
            request.Content = new FormUrlEncodedContent(form);
            return;
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{clientId}:{ClientSecret}")));
    }

    private static string Mint(JsonElement token, IKeyRing keyRing, Setup setup)
    {
        var claims = token.GetProperty("claims");
        var payload = claims.GetRawText();
        var issuer = claims.TryGetProperty("iss", out var iss) ? iss.GetString() : null;
        var credentials = issuer == setup.Issuer
            ? keyRing.CurrentSigningCredentials()
            : issuer is null ? Servers.ExampleOrg.Credentials : Servers.External[issuer].Credentials;
        if (token.GetProperty("signature").GetString() == "invalid")
        {
            credentials = Servers.Stranger.Credentials;
        }

        return TestKey.Sign(payload, credentials);
    }

    private static JsonElement Claims(string jwt) =>
        JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(jwt.Split('.')[1])).RootElement.Clone();

    private static IEnumerable<JsonElement> Cases()
    {
        var path = RepositoryRoot.Combine("tests", "conformance", "token-exchange", "cases.json");
        return JsonDocument.Parse(File.ReadAllText(path)).RootElement.GetProperty("cases").EnumerateArray().Select(c => c.Clone()).ToList();
    }

    /// <summary>Which server a case needs: the STS identifier, the clock, and the chain-depth policy.</summary>
    public sealed record Setup(string Issuer, long Now, int MaxChainDepth)
    {
        public static Setup For(JsonElement testCase)
        {
            var id = testCase.GetProperty("id").GetString();
            var depth = testCase.TryGetProperty("policy", out var policy) && policy.TryGetProperty("max_actor_chain_depth", out var max) ? max.GetInt32() : 5;
            return id switch
            {
                // RFC Appendix A: the authorization server is as.example.com. A.1 at its iat; A.2 one hour before the subject's exp.
                "te-rfc-a1" => new Setup("https://as.example.com", 1441917533, depth),
                "te-rfc-a2-delegation" => new Setup("https://as.example.com", 1441910060 - 3600, depth),
                _ => new Setup("https://sts.example.com", 1760000000, depth),
            };
        }
    }

    /// <summary>One server per setup, shared by the cases that need it.</summary>
    public sealed class Servers : IAsyncDisposable
    {
        public static readonly TestKey ExampleOrg = new("example-org");
        public static readonly TestKey Stranger = new("stranger");
        public static readonly IReadOnlyDictionary<string, TestKey> External = new Dictionary<string, TestKey>
        {
            ["https://idp.example.com"] = new("idp"),
            ["https://original-issuer.example.net"] = new("original-issuer"),
            ["https://attacker-idp.example.net"] = new("attacker-idp"),
        };

        private readonly ConcurrentDictionary<Setup, Lazy<Task<MandateTestServer>>> servers = new();

        internal Task<MandateTestServer> GetAsync(Setup setup) =>
            servers.GetOrAdd(setup, s => new Lazy<Task<MandateTestServer>>(() => StartAsync(s))).Value;

        public async ValueTask DisposeAsync()
        {
            foreach (var server in servers.Values.Where(s => s.IsValueCreated))
            {
                await (await server.Value).DisposeAsync();
            }
        }

        private static Task<MandateTestServer> StartAsync(Setup setup) =>
            MandateTestServer.StartAsync(configureBuilder: builder =>
            {
                builder.Services.AddSingleton<TimeProvider>(new ManualClock(DateTimeOffset.FromUnixTimeSeconds(setup.Now)));
                builder.Services.PostConfigure<IdentityOptions>(o => o.Issuer = setup.Issuer);
                builder.Services.PostConfigure<TokenExchangeOptions>(o =>
                {
                    o.MaxChainDepth = setup.MaxChainDepth;
                    o.AllowedAudiences.Add("spiffe://example.org/*");
                    o.AllowedAudiences.Add("urn:example:cooperation-context");
                    o.AllowedResources.Add("https://backend.example.com");
                    // The corpus's impersonation cases (RFC A.1, te-03) re-address tokens for other parties: Mandate allows
                    // that only to the token's holder, a client its may_act names, or a client configured as trusted.
                    o.ImpersonatingClients.Add("rs08");
                    o.ImpersonatingClients.Add("spiffe://example.org/gateway");
                    o.TrustedIssuers.Add(new TrustedIssuerOptions { TrustDomain = "example.org", Jwks = ExampleOrg.Jwks() });
                    foreach (var (issuer, key) in External)
                    {
                        o.TrustedIssuers.Add(new TrustedIssuerOptions { Issuer = issuer, Jwks = key.Jwks() });
                    }

                    var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ClientSecret)));
                    o.Clients.Add(new OAuthClientOptions { ClientId = "conformance-client", SecretSha256 = hash });
                    o.Clients.Add(new OAuthClientOptions { ClientId = "rs08", SecretSha256 = hash });
                });
            });
    }
}
