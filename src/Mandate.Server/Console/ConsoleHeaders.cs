namespace Mandate.Server.Console;

/// <summary>
/// The console's response headers: a Content-Security-Policy that allows nothing but this origin's stylesheet, its one
/// script file (no inline script, no eval: the live regions' /console/console.js), fetches back to this origin (what
/// that script polls) and forms; no frames, no other origin; no caching of pages that show the estate, no referrer.
/// </summary>
internal static class ConsoleHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static void Apply(HttpResponse response)
    {
        var headers = response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        headers.CacheControl = "no-cache, no-store";
        headers.Pragma = "no-cache";
    }
}
