using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mandate.Server.Tests.Infrastructure;
using Mandate.Server.Tests.Tasks;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace Mandate.Server.Tests.Credentials;

/// <summary>What a generic OAuth client expects: RFC 9068 access tokens, RFC 8414 / RFC 9728 metadata, RFC 6750 challenges.</summary>
public sealed class OAuthStandardsTests
{
    private const string PublicUrl = "https://mandate.example.test";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TaskAndExchangedTokens_ShouldBothCarryClientId_AndBothValidate()
    {
        await using var estate = await TaskEstate.StartAsync();
        var (_, taskToken, _) = await estate.OpenAsync();
        var task = TaskEstate.Claims(taskToken);
        Assert.Equal(TaskEstate.Agent, task.GetProperty("client_id").GetString());
        foreach (var claim in new[] { "iss", "exp", "aud", "sub", "iat", "jti" })
        {
            Assert.True(task.TryGetProperty(claim, out _), claim);
        }

        using var exchange = await estate.ExchangeAsync(taskToken, TaskEstate.SubAgent);
        var exchanged = JsonDocument.Parse(await exchange.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("access_token").GetString()!;
        Assert.Equal(TaskEstate.SubAgent, TaskEstate.Claims(exchanged).GetProperty("client_id").GetString());

        var introspectedTask = await estate.IntrospectAsync(taskToken);
        Assert.True(introspectedTask.GetProperty("active").GetBoolean());
        Assert.Equal(TaskEstate.Agent, introspectedTask.GetProperty("client_id").GetString());
        Assert.True((await estate.IntrospectAsync(exchanged)).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Metadata_ShouldBeAnonymous_AndBuiltFromTheConfiguredPublicUrl_NotTheHostHeader()
    {
        await using var server = await MandateTestServer.StartAsync(o => o.PublicUrl = PublicUrl);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/.well-known/oauth-authorization-server");
        request.Headers.Host = "attacker.example";
        using var response = await server.Client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var metadata = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal("spiffe://demo.mandate.local", metadata.GetProperty("issuer").GetString());
        Assert.Equal(PublicUrl + "/oauth2/token", metadata.GetProperty("token_endpoint").GetString());
        Assert.Equal(PublicUrl + "/oauth2/introspect", metadata.GetProperty("introspection_endpoint").GetString());
        Assert.Equal(PublicUrl + "/oauth2/revoke", metadata.GetProperty("revocation_endpoint").GetString());
        Assert.Equal(PublicUrl + "/.well-known/jwks.json", metadata.GetProperty("jwks_uri").GetString());
        Assert.Contains("urn:ietf:params:oauth:grant-type:token-exchange", Strings(metadata, "grant_types_supported"));
        Assert.Equal(["client_secret_basic", "private_key_jwt"], Strings(metadata, "token_endpoint_auth_methods_supported"));
        Assert.Contains("ES256", Strings(metadata, "dpop_signing_alg_values_supported"));
        Assert.Equal(0, metadata.GetProperty("response_types_supported").GetArrayLength());

        var resource = await server.Client.GetFromJsonAsync<JsonElement>("/.well-known/oauth-protected-resource", Ct);
        Assert.Equal(PublicUrl, resource.GetProperty("resource").GetString());
        Assert.Equal(["spiffe://demo.mandate.local"], Strings(resource, "authorization_servers"));
        Assert.Equal(["header"], Strings(resource, "bearer_methods_supported"));
        Assert.Equal(PublicUrl + "/.well-known/jwks.json", resource.GetProperty("jwks_uri").GetString());
        Assert.False(resource.GetProperty("dpop_bound_access_tokens_required").GetBoolean());
    }

    [Fact]
    public async Task Metadata_Issuer_ShouldBeTheIssuerTokensCarry_WhenConfiguredToThePublicUrl()
    {
        await using var estate = await TaskEstate.StartAsync(
            o => o.PublicUrl = PublicUrl,
            b => b.Configuration["Mandate:Identity:Issuer"] = PublicUrl);
        var (_, token, _) = await estate.OpenAsync();
        var metadata = await estate.Server.Client.GetFromJsonAsync<JsonElement>("/.well-known/oauth-authorization-server", Ct);
        Assert.Equal(PublicUrl, metadata.GetProperty("issuer").GetString());
        Assert.Equal(PublicUrl, TaskEstate.Claims(token).GetProperty("iss").GetString());
    }

    [Fact]
    public async Task Every401_OfEveryEndpoint_ShouldCarryABearerChallenge_WithTheRfc6750ErrorAndResourceMetadata()
    {
        await using var server = await MandateTestServer.StartAsync(o => o.PublicUrl = PublicUrl);
        var endpoints = server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        Assert.True(endpoints.Count > 40, $"only {endpoints.Count} endpoints were found");
        var refused = 0;
        var failures = new List<string>();
        foreach (var endpoint in endpoints)
        {
            var path = "/" + string.Join('/', endpoint.RoutePattern.PathSegments.Select(Segment));
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            foreach (var method in methods)
            {
                foreach (var (authorization, error) in new (string?, string?)[] { (null, null), ("Bearer not-a-valid-token", "invalid_token"), ("Token abc", "invalid_request") })
                {
                    using var request = new HttpRequestMessage(new HttpMethod(method), path);
                    if (authorization is not null)
                    {
                        request.Headers.TryAddWithoutValidation("Authorization", authorization);
                    }

                    if (method is "POST" or "PUT" or "PATCH")
                    {
                        request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                    }

                    using var response = await server.Client.SendAsync(request, Ct);
                    if (response.StatusCode != HttpStatusCode.Unauthorized)
                    {
                        continue;
                    }

                    refused++;
                    var challenge = string.Join(", ", response.Headers.WwwAuthenticate.Select(h => h.ToString()));
                    var where = $"{method} {path} (Authorization: {authorization ?? "none"})";
                    if (!challenge.Contains("Bearer realm=", StringComparison.Ordinal)
                        || !challenge.Contains($"resource_metadata=\"{PublicUrl}/.well-known/oauth-protected-resource\"", StringComparison.Ordinal))
                    {
                        failures.Add($"{where}: WWW-Authenticate '{challenge}'");
                    }
                    else if (error is null ? challenge.Contains("error=", StringComparison.Ordinal) : !challenge.Contains($"error=\"{error}\"", StringComparison.Ordinal))
                    {
                        failures.Add($"{where}: expected error {error ?? "(none)"} in '{challenge}'");
                    }
                }
            }
        }

        Assert.True(refused > 60, $"only {refused} requests were refused with 401");
        Assert.Empty(failures);
    }

    private static string Segment(RoutePatternPathSegment segment) => string.Concat(segment.Parts.Select(part => part switch
    {
        RoutePatternLiteralPart literal => literal.Content,
        RoutePatternParameterPart { Name: "seq" } => "1",
        RoutePatternParameterPart => "x",
        RoutePatternSeparatorPart separator => separator.Content,
        _ => "x",
    }));

    private static List<string?> Strings(JsonElement element, string name) => element.GetProperty(name).EnumerateArray().Select(e => e.GetString()).ToList();
}
