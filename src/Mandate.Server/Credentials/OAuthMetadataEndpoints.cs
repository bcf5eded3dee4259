using Mandate.Core.Credentials;
using Mandate.Core.Identity.Keys;
using Mandate.Protocol.OAuth;
using Mandate.Server.Http;

namespace Mandate.Server.Credentials;

/// <summary>
/// Discovery documents a generic OAuth client reads (anonymous, public): RFC 8414 authorization-server metadata and
/// RFC 9728 protected-resource metadata. Every URL comes from the configured public base URL (<see cref="PublicBaseUrl"/>),
/// never from the request's Host header. <c>issuer</c> is the <c>iss</c> every Mandate token carries
/// (<c>Mandate:Identity:Issuer</c>, by default the trust domain's <c>spiffe://</c> URI), because RFC 9068 §4 has
/// validators compare the two; set that option to the public URL for clients that also require RFC 8414 §3.3 (the
/// issuer equal to the URL the document was fetched under).
/// </summary>
internal static class OAuthMetadataEndpoints
{
    public const string AuthorizationServerPath = "/.well-known/oauth-authorization-server";
    public const string ProtectedResourcePath = "/.well-known/oauth-protected-resource";

    public static IEndpointRouteBuilder MapOAuthMetadataEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet(AuthorizationServerPath, (HttpContext context, PublicBaseUrl publicUrl, KeyRing keyRing) =>
        {
            context.Response.Headers.CacheControl = "public, max-age=300";
            var baseUrl = publicUrl.Value();
            string[] clientAuthentication = ["client_secret_basic", "private_key_jwt"];
            return TypedResults.Ok(new AuthorizationServerMetadata(
                Issuer: keyRing.Issuer,
                TokenEndpoint: baseUrl + "/oauth2/token",
                IntrospectionEndpoint: baseUrl + "/oauth2/introspect",
                RevocationEndpoint: baseUrl + "/oauth2/revoke",
                JwksUri: baseUrl + "/.well-known/jwks.json",
                ResponseTypesSupported: [],
                GrantTypesSupported: [GrantTypes.TokenExchange],
                TokenEndpointAuthMethodsSupported: clientAuthentication,
                TokenEndpointAuthSigningAlgValuesSupported: [.. SigningAlgorithms.Verifiable.Order(StringComparer.Ordinal)],
                RevocationEndpointAuthMethodsSupported: clientAuthentication,
                DpopSigningAlgValuesSupported: DpopProofValidator.Algorithms,
                ServiceDocumentation: baseUrl + "/.well-known/authzen-configuration"));
        }).AllowAnonymous();

        app.MapGet(ProtectedResourcePath, (HttpContext context, PublicBaseUrl publicUrl, KeyRing keyRing) =>
        {
            context.Response.Headers.CacheControl = "public, max-age=300";
            var baseUrl = publicUrl.Value();
            return TypedResults.Ok(new ProtectedResourceMetadata(
                Resource: baseUrl,
                AuthorizationServers: [keyRing.Issuer],
                JwksUri: baseUrl + "/.well-known/jwks.json",
                BearerMethodsSupported: ["header"],
                ResourceSigningAlgValuesSupported: [.. SigningAlgorithms.All],
                DpopSigningAlgValuesSupported: DpopProofValidator.Algorithms,
                DpopBoundAccessTokensRequired: false));
        }).AllowAnonymous();
        return app;
    }

    /// <summary>RFC 8414 §2 (and RFC 9449 §5.1 for DPoP). Members are snake_case on the wire.</summary>
    internal sealed record AuthorizationServerMetadata(
        string Issuer,
        string TokenEndpoint,
        string IntrospectionEndpoint,
        string RevocationEndpoint,
        string JwksUri,
        IReadOnlyList<string> ResponseTypesSupported,
        IReadOnlyList<string> GrantTypesSupported,
        IReadOnlyList<string> TokenEndpointAuthMethodsSupported,
        IReadOnlyList<string> TokenEndpointAuthSigningAlgValuesSupported,
        IReadOnlyList<string> RevocationEndpointAuthMethodsSupported,
        IReadOnlyList<string> DpopSigningAlgValuesSupported,
        string ServiceDocumentation);

    /// <summary>RFC 9728 §2.</summary>
    internal sealed record ProtectedResourceMetadata(
        string Resource,
        IReadOnlyList<string> AuthorizationServers,
        string JwksUri,
        IReadOnlyList<string> BearerMethodsSupported,
        IReadOnlyList<string> ResourceSigningAlgValuesSupported,
        IReadOnlyList<string> DpopSigningAlgValuesSupported,
        bool DpopBoundAccessTokensRequired);
}
