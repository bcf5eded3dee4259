using Microsoft.Net.Http.Headers;

namespace Mandate.Server.Authentication;

/// <summary>
/// Makes sure every 401 carries a <c>WWW-Authenticate</c> challenge (RFC 9110 §15.5.2), whichever component refused the
/// request (an authentication handler, the attestation endpoints, <c>/metrics</c>, …): one that set its own keeps it,
/// any other gets <see cref="BearerChallenge.Unauthorized"/>.
/// </summary>
internal sealed class ChallengeHeaders(RequestDelegate next)
{
    public const string Realm = "mandate";

    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.OnStarting(static state =>
        {
            var http = (HttpContext)state;
            if (http.Response.StatusCode == StatusCodes.Status401Unauthorized && !http.Response.Headers.ContainsKey(HeaderNames.WWWAuthenticate))
            {
                http.Response.Headers.WWWAuthenticate = BearerChallenge.Unauthorized(http, Realm);
            }

            return Task.CompletedTask;
        }, context);
        return next(context);
    }
}
