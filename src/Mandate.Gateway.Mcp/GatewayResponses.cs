using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Mandate.Gateway.Mcp;

/// <summary>The HTTP answers the gateway gives itself: 401 challenges (MCP authorization), 429, 413, 503 as RFC 9457 problems.</summary>
internal static class GatewayResponses
{
    private const string ProblemBase = "https://mandate.dev/problems/";

    /// <summary>
    /// 401 with <c>WWW-Authenticate: Bearer resource_metadata="…"</c> (RFC 9728 §5.1, as the MCP authorization spec
    /// asks), plus <c>error="invalid_token"</c> (RFC 6750 §3) when a credential was presented and refused.
    /// </summary>
    public static Task UnauthorizedAsync(HttpContext http, GatewayPublicUrl publicUrl, string? error, string description)
    {
        var challenge = $"Bearer resource_metadata=\"{publicUrl.MetadataFor(http.Request.Path)}\"";
        if (error is not null)
        {
            challenge += $", error=\"{error}\", error_description=\"{Quote(description)}\"";
        }

        http.Response.Headers.WWWAuthenticate = challenge;
        return ProblemAsync(http, GatewayProblem.Unauthenticated, description);
    }

    public static Task TooManyRequestsAsync(HttpContext http, TimeSpan retryAfter, string detail)
    {
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return ProblemAsync(http, GatewayProblem.RateLimited, detail);
    }

    public static async Task ProblemAsync(HttpContext http, GatewayProblem problem, string detail)
    {
        http.Response.StatusCode = problem.Status;
        http.Response.ContentType = "application/problem+json";
        http.Response.Headers.CacheControl = "no-store";
        var body = new JsonObject
        {
            ["type"] = ProblemBase + problem.Code,
            ["title"] = problem.Title,
            ["status"] = problem.Status,
            ["detail"] = detail,
            ["code"] = problem.Code,
        };
        await http.Response.WriteAsync(body.ToJsonString(), http.RequestAborted);
    }

    /// <summary>A header quoted-string may not hold a quote, a backslash or a control character.</summary>
    private static string Quote(string text) =>
        new(text.Select(c => c is '"' or '\\' || char.IsControl(c) ? '\'' : c).ToArray());
}
