using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mandate.Core.Identity;
using Mandate.Core.Identity.Attestation;
using Mandate.Core.Identity.Svid;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Operators;

/// <summary>
/// OIDC sign-in for operators: an ID token from the configured provider is verified as strictly as an attestation
/// token (issuer exact; <c>alg</c> pinned and equal to its key's; signature; <c>aud</c> holds the configured audience;
/// <c>exp</c>, <c>nbf</c>, <c>iat</c> with bounded skew and a maximum age), the configured claim is matched against the
/// operators' OIDC subjects, and an enabled operator gets a short-lived session token (<c>operator.signed_in</c>).
/// The provider's keys come from its JWKS URI, an inline JWKS, or discovery
/// (<c>{issuer}/.well-known/openid-configuration</c>, whose <c>issuer</c> must be the configured one).
/// </summary>
internal sealed class OperatorSignIn
{
    private const int MaxDiscoveryBytes = 256 * 1024;
    private readonly OperatorOidcOptions settings;
    private readonly OperatorDirectory directory;
    private readonly TimeProvider time;
    private readonly HttpClient http;
    private readonly SemaphoreSlim discoveryLock = new(1, 1);
    private OidcJwksCache? keys;
    private DateTimeOffset? lastDiscovery;
    private OidcProviderMetadata? metadata;

    public OperatorSignIn(IOptions<OperatorOptions> options, OperatorDirectory directory, TimeProvider time, OidcHttpClient http)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(http);
        settings = options.Value.Oidc;
        this.directory = directory;
        this.time = time;
        this.http = http.Client;
        if (settings.Enabled && (!string.IsNullOrWhiteSpace(settings.JwksUri) || !string.IsNullOrWhiteSpace(settings.Jwks)))
        {
            keys = new OidcJwksCache(IssuerOptions(settings.JwksUri), this.http, time);
        }
    }

    public bool Enabled => settings.Enabled;

    /// <summary>Verifies the ID token and opens a session; the error says why not (without echoing the token).</summary>
    public Task<OperatorResult<IssuedOperatorToken>> SignInAsync(string? idToken, string? requestId, CancellationToken cancellationToken) =>
        SignInAsync(idToken, requestId, expectedNonce: null, cancellationToken);

    /// <summary>
    /// Verifies the ID token and opens a session; with <paramref name="expectedNonce"/> (the console's authorization
    /// code flow) the token's <c>nonce</c> must equal it, so a token issued for another sign-in attempt is refused.
    /// </summary>
    public async Task<OperatorResult<IssuedOperatorToken>> SignInAsync(string? idToken, string? requestId, string? expectedNonce, CancellationToken cancellationToken)
    {
        static OperatorResult<IssuedOperatorToken> Refuse(string message) => OperatorResult<IssuedOperatorToken>.Fail(OperatorErrorCodes.SignInRefused, message);

        if (!settings.Enabled)
        {
            return OperatorResult<IssuedOperatorToken>.Fail(OperatorErrorCodes.SignInNotConfigured, "OIDC sign-in is not configured (Mandate:Operators:Oidc:Issuer).");
        }

        if (!CompactJws.TryParse(idToken, out var jws, out var parseError))
        {
            return Refuse("The ID token is not a compact JWS: " + parseError!.Message);
        }

        if (!JwtClaimSet.TryRead(jws!.Payload, out var claims, out var problem))
        {
            return Refuse("The ID token's payload is not valid: " + problem + ".");
        }

        if (!string.Equals(claims!.Issuer, settings.Issuer, StringComparison.Ordinal))
        {
            return Refuse("The ID token's issuer is not the configured OIDC provider.");
        }

        if (!settings.EffectiveAlgorithms.Contains(jws.Algorithm, StringComparer.Ordinal))
        {
            return Refuse($"The ID token's algorithm is not pinned (allowed: {string.Join(", ", settings.EffectiveAlgorithms)}).");
        }

        if (string.IsNullOrEmpty(jws.Kid))
        {
            return Refuse("The ID token's header has no kid.");
        }

        var cache = await KeysAsync(cancellationToken).ConfigureAwait(false);
        if (cache.Keys is null)
        {
            return Refuse("The provider's keys are unavailable: " + cache.Problem + ".");
        }

        var lookup = await cache.Keys.FindAsync(jws.Kid, cancellationToken).ConfigureAwait(false);
        if (lookup.Key is null)
        {
            return Refuse(lookup.Problem is not null ? "The provider's keys are unavailable: " + lookup.Problem + "." : "The ID token's kid names no key of the provider.");
        }

        if (!string.Equals(lookup.Key.Algorithm, jws.Algorithm, StringComparison.Ordinal) || !lookup.Key.Verify(jws.Algorithm, jws.SigningInput, jws.Signature))
        {
            return Refuse("The ID token's signature does not verify.");
        }

        if (!claims.HasAudience || !claims.Audiences.Contains(settings.Audience, StringComparer.Ordinal))
        {
            return Refuse($"The ID token's audience does not include {settings.Audience}.");
        }

        var now = time.GetUtcNow();
        var skew = settings.ClockSkew;
        if (claims.ExpiresAt is not { } expires || now >= expires + skew)
        {
            return Refuse("The ID token has expired (or has no exp).");
        }

        if (claims.NotBefore is { } notBefore && now + skew < notBefore)
        {
            return Refuse("The ID token is not valid yet (nbf).");
        }

        if (claims.IssuedAt is not { } issuedAt || now + skew < issuedAt || now - issuedAt > settings.MaxTokenAge + skew)
        {
            return Refuse("The ID token's iat is missing, in the future, or older than Mandate:Operators:Oidc:MaxTokenAge.");
        }

        string? subject;
        string? nonce;
        using (var document = JsonDocument.Parse(jws.Payload))
        {
            subject = document.RootElement.TryGetProperty(settings.Claim, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            nonce = document.RootElement.TryGetProperty("nonce", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
        }

        if (expectedNonce is not null
            && (nonce is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(nonce), Encoding.UTF8.GetBytes(expectedNonce))))
        {
            return Refuse("The ID token's nonce is not the one this sign-in sent.");
        }

        if (string.IsNullOrEmpty(subject))
        {
            return Refuse($"The ID token has no string claim '{settings.Claim}'.");
        }

        var account = await directory.FindByOidcSubjectAsync(subject, cancellationToken).ConfigureAwait(false);
        if (account is null || !account.Enabled)
        {
            // One answer for "no such operator" and "disabled": sign-in is not an oracle on who operates Mandate.
            return Refuse($"No enabled operator signs in as this '{settings.Claim}'.");
        }

        var details = new Dictionary<string, string> { ["issuer"] = settings.Issuer, ["oidc_subject"] = subject };
        if (claims.Jti is { Length: <= 256 } jti)
        {
            details["id_token_jti"] = jti;
        }

        // Single use: remembered until the token would be refused anyway (exp, or iat plus the maximum age, plus skew).
        var acceptedUntil = (expires < issuedAt + settings.MaxTokenAge ? expires : issuedAt + settings.MaxTokenAge) + skew;
        var redemption = new RedeemedIdToken(settings.Issuer, RedemptionKey(claims.Jti, idToken!), account.Name, now, acceptedUntil);
        return await directory.CreateSessionAsync(account, redemption, details, requestId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// What makes an ID token single-use: the SHA-256 of its <c>jti</c>, or of the whole compact token when the provider
    /// sets none (the same bytes presented again), each prefixed so the two spaces never meet. Lower-case hex.
    /// </summary>
    public static string RedemptionKey(string? jti, string idToken)
    {
        ArgumentNullException.ThrowIfNull(idToken);
        return OperatorDirectory.Hash(string.IsNullOrEmpty(jti) ? "token:" + idToken : "jti:" + jti);
    }

    private OidcIssuerOptions IssuerOptions(string? jwksUri)
    {
        var options = new OidcIssuerOptions
        {
            Issuer = settings.Issuer,
            Audience = settings.Audience,
            JwksUri = jwksUri,
            Jwks = settings.Jwks,
            JwksCacheDuration = settings.JwksCacheDuration,
            JwksMinRefreshInterval = settings.JwksMinRefreshInterval,
            JwksFetchTimeout = settings.FetchTimeout,
        };
        foreach (var algorithm in settings.EffectiveAlgorithms)
        {
            options.Algorithms.Add(algorithm);
        }

        return options;
    }

    /// <summary>The key cache, after discovery when no JWKS is configured; discovery is retried at most every refresh interval.</summary>
    private async Task<(OidcJwksCache? Keys, string? Problem)> KeysAsync(CancellationToken cancellationToken)
    {
        if (keys is { } known)
        {
            return (known, null);
        }

        await discoveryLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (keys is { } found)
            {
                return (found, null);
            }

            if (metadata?.JwksUri is { } knownJwks)
            {
                keys = new OidcJwksCache(IssuerOptions(knownJwks), http, time);
                return (keys, null);
            }

            var now = time.GetUtcNow();
            if (lastDiscovery is { } last && now - last < settings.JwksMinRefreshInterval)
            {
                return (null, "discovery failed recently; retrying later");
            }

            lastDiscovery = now;
            var (fetched, problem) = await DiscoverAsync().ConfigureAwait(false);
            if (fetched?.JwksUri is not { } jwksUri)
            {
                return (null, problem ?? "the discovery document has no http(s) jwks_uri");
            }

            keys = new OidcJwksCache(IssuerOptions(jwksUri), http, time);
            return (keys, null);
        }
        finally
        {
            discoveryLock.Release();
        }
    }

    /// <summary>
    /// The provider's authorization and token endpoints for the console's authorization code flow: the configured ones,
    /// else discovery's (fetched once, then kept; a failure is retried at most every refresh interval).
    /// </summary>
    public async Task<(OidcProviderMetadata? Endpoints, string? Problem)> EndpointsAsync(CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(settings.AuthorizationEndpoint) && !string.IsNullOrWhiteSpace(settings.TokenEndpoint))
        {
            return (new OidcProviderMetadata(settings.JwksUri, settings.AuthorizationEndpoint, settings.TokenEndpoint), null);
        }

        await discoveryLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var found = metadata;
            if (found is null)
            {
                var now = time.GetUtcNow();
                if (lastDiscovery is { } last && now - last < settings.JwksMinRefreshInterval)
                {
                    return (null, "discovery failed recently; retrying later");
                }

                lastDiscovery = now;
                (found, var problem) = await DiscoverAsync().ConfigureAwait(false);
                if (found is null)
                {
                    return (null, problem);
                }
            }

            var endpoints = new OidcProviderMetadata(
                found.JwksUri,
                string.IsNullOrWhiteSpace(settings.AuthorizationEndpoint) ? found.AuthorizationEndpoint : settings.AuthorizationEndpoint,
                string.IsNullOrWhiteSpace(settings.TokenEndpoint) ? found.TokenEndpoint : settings.TokenEndpoint);
            return endpoints.AuthorizationEndpoint is null || endpoints.TokenEndpoint is null
                ? (null, "the discovery document names no http(s) authorization_endpoint and token_endpoint")
                : (endpoints, null);
        }
        finally
        {
            discoveryLock.Release();
        }
    }

    private async Task<(OidcProviderMetadata? Metadata, string? Problem)> DiscoverAsync()
    {
        var url = settings.Issuer.TrimEnd('/') + "/.well-known/openid-configuration";
        using var deadline = new CancellationTokenSource(settings.FetchTimeout);
        try
        {
            using var response = await http.GetAsync(new Uri(url), HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return (null, $"discovery answered {(int)response.StatusCode}");
            }

            if (response.Content.Headers.ContentLength is > MaxDiscoveryBytes)
            {
                return (null, "the discovery document is too large");
            }

            var body = await response.Content.ReadAsByteArrayAsync(deadline.Token).ConfigureAwait(false);
            if (body.Length > MaxDiscoveryBytes)
            {
                return (null, "the discovery document is too large");
            }

            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("issuer", out var issuer) || issuer.ValueKind != JsonValueKind.String
                || !string.Equals(issuer.GetString(), settings.Issuer, StringComparison.Ordinal))
            {
                return (null, "the discovery document names another issuer");
            }

            static string? Url(JsonElement root, string name) =>
                root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
                && Uri.TryCreate(value.GetString(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
                    ? uri.AbsoluteUri
                    : null;

            metadata = new OidcProviderMetadata(Url(root, "jwks_uri"), Url(root, "authorization_endpoint"), Url(root, "token_endpoint"));
            return (metadata, null);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or JsonException or IOException)
        {
            return (null, ex is JsonException ? "the discovery document is not JSON" : "the discovery document could not be fetched");
        }
    }
}
