namespace Mandate.Core.Identity.Attestation;

/// <summary>The HTTP client used to fetch trusted issuers' JWKS (the host sets timeouts and handlers).</summary>
internal sealed class OidcHttpClient(HttpClient client)
{
    public HttpClient Client { get; } = client;
}
