using Mandate.Server.Credentials;
using Mandate.Server.Http;

namespace Mandate.Server.Authentication;

/// <summary>
/// The <c>WWW-Authenticate</c> value of a refused request (RFC 6750 §3): <c>Bearer realm="…"</c>, an <c>error</c> code
/// (<c>invalid_request</c> for an Authorization header that is not one bearer token, <c>invalid_token</c> for a bearer
/// token that did not authenticate, <c>insufficient_scope</c> on a 403 for a valid one; none when no credential was
/// presented, as §3.1 asks) and <c>resource_metadata</c> (RFC 9728 §5.1) pointing at the protected-resource metadata.
/// </summary>
internal static class BearerChallenge
{
    public const string InvalidRequest = "invalid_request";
    public const string InvalidToken = "invalid_token";
    public const string InsufficientScope = "insufficient_scope";

    /// <summary>The challenge for a 401, its error code read from the request's Authorization header.</summary>
    public static string Unauthorized(HttpContext context, string realm) => Build(context, realm, ErrorFor(context.Request));

    /// <summary>
    /// The Bearer half of an OAuth endpoint's client-authentication challenge: a client that tried HTTP Basic gets no
    /// bearer error code (its Basic credentials were what failed).
    /// </summary>
    public static string ForClientAuthentication(HttpContext context, string realm)
    {
        ArgumentNullException.ThrowIfNull(context);
        var basic = context.Request.Headers.Authorization.ToString().StartsWith("Basic ", StringComparison.OrdinalIgnoreCase);
        return Build(context, realm, basic ? null : ErrorFor(context.Request));
    }

    /// <summary>The challenge for a 403 to a caller whose bearer token is valid but not enough for this endpoint.</summary>
    public static string Forbidden(HttpContext context, string realm) => Build(context, realm, InsufficientScope);

    /// <summary>Null when the request presented no credential; else whether it was a well-formed bearer token.</summary>
    public static string? ErrorFor(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var header = request.Headers.Authorization;
        if (header.Count == 0 || string.IsNullOrWhiteSpace(header.ToString()))
        {
            return null;
        }

        var value = header.Count == 1 ? header[0]! : string.Empty;
        return value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && value.AsSpan(7).Trim().Length > 0
            ? InvalidToken
            : InvalidRequest;
    }

    private static string Build(HttpContext context, string realm, string? error)
    {
        ArgumentNullException.ThrowIfNull(context);
        var metadata = context.RequestServices.GetRequiredService<PublicBaseUrl>().Value() + OAuthMetadataEndpoints.ProtectedResourcePath;
        return error is null
            ? $"Bearer realm=\"{realm}\", resource_metadata=\"{metadata}\""
            : $"Bearer realm=\"{realm}\", error=\"{error}\", resource_metadata=\"{metadata}\"";
    }
}
