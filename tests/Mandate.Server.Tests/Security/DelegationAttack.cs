using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mandate.Server.Tests.Infrastructure;
using Mandate.Server.Tests.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Mandate.Server.Tests.Security;

/// <summary>What the delegation attacks share: the demo estate, raw token exchanges, decisions and DPoP proofs over HTTP.</summary>
internal static class DelegationAttack
{
    public const string TokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange";
    public const string AccessTokenType = "urn:ietf:params:oauth:token-type:access_token";
    public const string JwtType = "urn:ietf:params:oauth:token-type:jwt";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The demo estate (its policies let the support assistant read and write tickets inside a task).</summary>
    public static Task<TaskEstate> StartDemoAsync(Action<WebApplicationBuilder>? configureBuilder = null) =>
        TaskEstate.StartAsync(
            o =>
            {
                o.DataDirectory = null;
                o.Demo = true;
            },
            configureBuilder);

    public static object Intent(string[] actions, string[] delegates, string[]? resources = null, string ceiling = "medium") => new
    {
        description = "Summarize the customer's open tickets",
        actions,
        resources = resources ?? ["Ticket", "Dataset"],
        sensitivity_ceiling = ceiling,
        destinations = Array.Empty<string>(),
        delegates,
    };

    /// <summary>Posts a token exchange as <paramref name="client"/>; returns the status and the JSON body.</summary>
    public static async Task<(int Status, JsonElement Body)> ExchangeAsync(
        HttpClient client,
        string subjectToken,
        string? actorToken = null,
        string actorTokenType = JwtType,
        IEnumerable<KeyValuePair<string, string>>? extra = null,
        string? dpopProof = null)
    {
        var form = new List<KeyValuePair<string, string>>
        {
            new("grant_type", TokenExchange),
            new("subject_token", subjectToken),
            new("subject_token_type", AccessTokenType),
        };
        if (actorToken is not null)
        {
            form.Add(new("actor_token", actorToken));
            form.Add(new("actor_token_type", actorTokenType));
        }

        form.AddRange(extra ?? []);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/oauth2/token") { Content = new FormUrlEncodedContent(form) };
        if (dpopProof is not null)
        {
            request.Headers.Add("DPoP", dpopProof);
        }

        using var response = await client.SendAsync(request, Ct);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.Clone();
        return ((int)response.StatusCode, body);
    }

    /// <summary>Exchanges as <paramref name="actorId"/> with its own JWT-SVID as actor token and returns the issued token.</summary>
    public static async Task<string> DelegateAsync(TaskEstate estate, string subjectToken, string actorId, string? scope = null)
    {
        using var client = estate.As(actorId);
        var (status, body) = await ExchangeAsync(client, subjectToken, estate.Svid(actorId), extra: scope is null ? null : [new("scope", scope)]);
        Assert.True(status == 200, body.ToString());
        return body.GetProperty("access_token").GetString()!;
    }

    /// <summary>An AuthZEN evaluation by an authenticated PEP (the admin token) presenting <paramref name="credential"/>.</summary>
    public static async Task<(bool Decision, JsonElement Body)> DecideAsync(
        TaskEstate estate, string principal, string action, string type, string id, string credential, JsonObject? proof = null, JsonObject? context = null)
    {
        context = context is null ? [] : JsonNode.Parse(context.ToJsonString())!.AsObject();
        context["credential"] = credential;
        if (proof is not null)
        {
            context["credential_proof"] = proof;
        }

        var request = new JsonObject
        {
            ["subject"] = new JsonObject { ["type"] = "Workload", ["id"] = principal },
            ["action"] = new JsonObject { ["name"] = action },
            ["resource"] = new JsonObject { ["type"] = type, ["id"] = id },
            ["context"] = context,
        };
        using var content = new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await estate.Admin.PostAsync("/access/v1/evaluation", content, Ct);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.Clone();
        Assert.True((int)response.StatusCode == 200, body.ToString());
        return (body.GetProperty("decision").GetBoolean(), body);
    }

    /// <summary>An RFC 9449 DPoP proof signed by <paramref name="key"/>, with <c>ath</c> when an access token is given.</summary>
    public static string DpopProof(ECDsa key, string method, string uri, string? accessToken, DateTimeOffset now) =>
        DpopProofs.Create(key, method, uri, accessToken, now);

    /// <summary>The RFC 7638 thumbprint of <paramref name="key"/>'s public key (the <c>jkt</c> a bound token carries).</summary>
    public static string Thumbprint(ECDsa key)
    {
        var p = key.ExportParameters(false);
        var canonical = $"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{Base64UrlEncoder.Encode(p.Q.X)}\",\"y\":\"{Base64UrlEncoder.Encode(p.Q.Y)}\"}}";
        return Base64UrlEncoder.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    public static string TokenEndpoint(TaskEstate estate) => new Uri(estate.Server.Address, "/oauth2/token").ToString();

    public static AuthenticationHeaderValue Bearer(string token) => new("Bearer", token);
}
