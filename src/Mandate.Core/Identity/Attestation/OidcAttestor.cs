using System.Text.Json;
using Mandate.Core.Identity.Inventory;
using Mandate.Core.Identity.Svid;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Identity.Attestation;

/// <summary>
/// Verifies a platform token (GitHub Actions, Kubernetes service account, any OIDC issuer) against the configured
/// trusted issuers and maps it to a SPIFFE ID. Strict: issuer known; <c>alg</c> in the issuer's pinned list (never
/// <c>none</c> or HMAC) and equal to the algorithm of the key chosen by <c>kid</c>; signature; <c>aud</c> contains
/// the configured audience; <c>exp</c>, <c>nbf</c>, <c>iat</c> checked with bounded skew and a maximum token age;
/// <c>jti</c> present when the issuer requires it. A verified and mapped token whose SPIFFE ID is registered and
/// usable, and which has a <c>jti</c>, is then redeemed once (<see cref="PlatformTokenReplayGuard"/>) unless the issuer
/// turns replay protection off.
/// </summary>
internal sealed class OidcAttestor
{
    private readonly IOptions<IdentityOptions> options;
    private readonly TimeProvider time;
    private readonly PlatformTokenReplayGuard replayGuard;
    private readonly IdentityDirectory directory;
    private readonly Dictionary<string, (OidcIssuerOptions Options, OidcJwksCache Keys)> issuers;

    public OidcAttestor(IOptions<IdentityOptions> options, TimeProvider time, OidcHttpClient http, PlatformTokenReplayGuard replayGuard, IdentityDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(http);
        this.options = options;
        this.time = time;
        this.replayGuard = replayGuard;
        this.directory = directory;
        issuers = options.Value.OidcIssuers.ToDictionary(i => i.Issuer, i => (i, new OidcJwksCache(i, http.Client, time)), StringComparer.Ordinal);
    }

    public sealed record Attestation(SpiffeId? SpiffeId, string? Issuer, string? PlatformSubject, string? PlatformJti, IdentityError? Error);

    /// <summary>The JWKS cache of a configured issuer (tests and diagnostics).</summary>
    public OidcJwksCache? KeysOf(string issuer) => issuers.TryGetValue(issuer, out var entry) ? entry.Keys : null;

    /// <summary>Verifies and maps a platform token, and redeems it (see the class summary); the request id goes into the audit log.</summary>
    public async Task<Attestation> AttestAsync(string? token, string? requestId, CancellationToken cancellationToken)
    {
        static Attestation Fail(string code, string message, string? issuer = null) => new(null, issuer, null, null, new IdentityError(code, message));

        if (!CompactJws.TryParse(token, out var jws, out var error))
        {
            return new Attestation(null, null, null, null, error);
        }

        if (!JwtClaimSet.TryRead(jws!.Payload, out var claims, out var problem))
        {
            return Fail(IdentityErrorCodes.TokenMalformed, "The token payload is not valid: " + problem + ".");
        }

        // The issuer is read before verification only to choose which keys verify; nothing else is trusted yet.
        if (claims!.Issuer is null || !issuers.TryGetValue(claims.Issuer, out var entry))
        {
            return Fail(IdentityErrorCodes.AttestationIssuerUntrusted, "The token's issuer is not a trusted OIDC issuer.");
        }

        var issuer = entry.Options;
        if (!issuer.Algorithms.Contains(jws.Algorithm))
        {
            return Fail(IdentityErrorCodes.TokenAlgorithmRefused, $"The token's algorithm is not pinned for issuer {issuer.Issuer} (allowed: {string.Join(", ", issuer.Algorithms)}).", issuer.Issuer);
        }

        if (string.IsNullOrEmpty(jws.Kid))
        {
            return Fail(IdentityErrorCodes.TokenMalformed, "The token header has no kid.", issuer.Issuer);
        }

        var lookup = await entry.Keys.FindAsync(jws.Kid, cancellationToken).ConfigureAwait(false);
        if (lookup.Key is null)
        {
            return lookup.Problem is not null
                ? Fail(IdentityErrorCodes.AttestationIssuerUnavailable, $"The keys of issuer {issuer.Issuer} are unavailable: {lookup.Problem}.", issuer.Issuer)
                : Fail(IdentityErrorCodes.TokenUnknownKey, $"The token's kid names no key of issuer {issuer.Issuer}.", issuer.Issuer);
        }

        if (!string.Equals(lookup.Key.Algorithm, jws.Algorithm, StringComparison.Ordinal))
        {
            return Fail(IdentityErrorCodes.TokenAlgorithmRefused, $"The token's algorithm is not the algorithm of its key ({lookup.Key.Algorithm}).", issuer.Issuer);
        }

        if (!lookup.Key.Verify(jws.Algorithm, jws.SigningInput, jws.Signature))
        {
            return Fail(IdentityErrorCodes.TokenSignatureInvalid, "The token's signature does not verify.", issuer.Issuer);
        }

        if (!claims.HasAudience || !claims.Audiences.Contains(issuer.Audience, StringComparer.Ordinal))
        {
            return Fail(IdentityErrorCodes.TokenAudienceMismatch, $"The token's audience does not include {issuer.Audience}.", issuer.Issuer);
        }

        var settings = options.Value;
        var now = time.GetUtcNow();
        var skew = settings.ClockSkew;
        if (claims.ExpiresAt is not { } expires)
        {
            return Fail(IdentityErrorCodes.TokenMalformed, "The token has no exp claim.", issuer.Issuer);
        }

        if (now >= expires + skew)
        {
            return Fail(IdentityErrorCodes.TokenExpired, "The token has expired.", issuer.Issuer);
        }

        if (claims.NotBefore is { } notBefore && now + skew < notBefore)
        {
            return Fail(IdentityErrorCodes.TokenNotYetValid, "The token is not valid yet (nbf).", issuer.Issuer);
        }

        if (claims.IssuedAt is not { } issuedAt)
        {
            return Fail(IdentityErrorCodes.TokenMalformed, "The token has no iat claim.", issuer.Issuer);
        }

        if (now + skew < issuedAt)
        {
            return Fail(IdentityErrorCodes.TokenNotYetValid, "The token was issued in the future (iat).", issuer.Issuer);
        }

        if (now - issuedAt > issuer.MaxTokenAge + skew)
        {
            return Fail(IdentityErrorCodes.TokenExpired, "The token is older than the issuer's maximum token age (iat).", issuer.Issuer);
        }

        if (string.IsNullOrEmpty(claims.Jti) && issuer.RequireJti)
        {
            return Fail(IdentityErrorCodes.TokenMalformed, $"The token has no jti claim, which issuer {issuer.Issuer} requires.", issuer.Issuer);
        }

        using var document = JsonDocument.Parse(jws.Payload);
        var id = ClaimMapper.Map(document.RootElement, issuer.Rules, settings.TrustDomain);
        if (id is null)
        {
            return Fail(IdentityErrorCodes.AttestationNoRuleMatched, $"The token from {issuer.Issuer} is valid but no mapping rule gives it a SPIFFE ID.", issuer.Issuer);
        }

        // Before redemption, so that a token mapping to an identity not registered (or suspended) yet is not spent: once
        // an administrator fixes the inventory, the workload's token still works.
        if (directory.CheckUsable(id.Value, now) is { } unusable)
        {
            return new Attestation(null, issuer.Issuer, claims.Subject, claims.Jti, unusable);
        }

        // Last, so that only tokens that verified and mapped are ever recorded: forged tokens cannot fill the store.
        if (!string.IsNullOrEmpty(claims.Jti) && issuer.ReplayProtection
            && await replayGuard.RedeemAsync(issuer.Issuer, claims.Jti, expires, id, claims.Subject, requestId, cancellationToken).ConfigureAwait(false) is { } replayed)
        {
            return new Attestation(null, issuer.Issuer, claims.Subject, claims.Jti, replayed);
        }

        return new Attestation(id, issuer.Issuer, claims.Subject, claims.Jti, null);
    }
}
