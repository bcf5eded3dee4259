namespace Mandate.Server.Http;

/// <summary>
/// Responses that carry a credential (SVIDs, join tokens, task credentials, exchanged tokens) must never be kept by a
/// browser, proxy or CDN cache: their endpoints answer every request, errors included, with
/// <c>Cache-Control: no-store</c> and <c>Pragma: no-cache</c> (RFC 6749 §5.1, RFC 9111 §5.2.2.5).
/// </summary>
internal static class CredentialResponses
{
    public static TBuilder DisallowCaching<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(static (context, next) =>
        {
            var headers = context.HttpContext.Response.Headers;
            headers.CacheControl = "no-store";
            headers.Pragma = "no-cache";
            return next(context);
        });
}
