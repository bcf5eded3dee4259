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
        return ProblemAsync(http, StatusCodes.Status401Unauthorized, "unauthenticated", description);
    }

    public static Task TooManyRequestsAsync(HttpContext http, TimeSpan retryAfter, string detail)
    {
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return ProblemAsync(http, StatusCodes.Status429TooManyRequests, "rate-limited", detail);
    }

    public static async Task ProblemAsync(HttpContext http, int status, string type, string detail)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/problem+json";
        http.Response.Headers.CacheControl = "no-store";
        var problem = new JsonObject
        {
            ["type"] = ProblemBase + type,
            ["title"] = Title(status),
            ["status"] = status,
            ["detail"] = detail,
        };
        await http.Response.WriteAsync(problem.ToJsonString(), http.RequestAborted);
    }

    private static string Title(int status) => status switch
    {
        StatusCodes.Status401Unauthorized => "Authentication required.",
        StatusCodes.Status413PayloadTooLarge => "The request body is too large.",
        StatusCodes.Status429TooManyRequests => "Too many requests.",
        StatusCodes.Status503ServiceUnavailable => "The decision point is unavailable.",
        _ => "The request was refused.",
    };

    /// <summary>A header quoted-string may not hold a quote, a backslash or a control character.</summary>
    private static string Quote(string text) =>
        new(text.Select(c => c is '"' or '\\' || char.IsControl(c) ? '\'' : c).ToArray());
}
