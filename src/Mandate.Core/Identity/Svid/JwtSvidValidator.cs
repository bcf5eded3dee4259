using Mandate.Core.Credentials;
using Mandate.Core.Identity.Inventory;
using Mandate.Core.Identity.Keys;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Identity.Svid;

/// <summary>
/// Validates JWT-SVIDs issued by this trust domain, strictly and in the order the SPIFFE reference validator uses:
/// size (≤ 16 KiB), compact form, algorithm (asymmetric JWS algorithms only: <c>none</c> and HMAC refused), <c>typ</c>,
/// <c>kid</c> present, <c>sub</c> a SPIFFE ID of our trust domain, <c>exp</c> present, key known by <c>kid</c> and
/// still published, <c>alg</c> equal to that key's algorithm, signature, <c>iss</c>, audience, time claims with
/// bounded skew, the <c>jti</c> not revoked, and finally the identity active in the inventory. Thread-safe and allocation-light; no I/O. A token
/// presented again skips only the signature work (see <see cref="VerifiedTokenCache{TEntry}"/>).
/// </summary>
internal sealed class JwtSvidValidator(KeyRing keyRing, IdentityDirectory directory, IRevocationSet revocations, IOptions<IdentityOptions> options, TimeProvider time)
{
    private readonly VerifiedTokenCache<VerifiedJwtSvid> cache = new(options.Value.ValidatedTokenCacheSize, verified => verified.Svid.ExpiresAt);

    /// <summary>Validates <paramref name="token"/> for one accepted audience.</summary>
    public JwtSvidValidationResult Validate(string? token, string audience) => Validate(token, [audience]);

    /// <summary>
    /// Validates a JWT-SVID presented to Mandate itself as a credential: besides every check of
    /// <see cref="Validate(string?, string)"/>, <paramref name="audience"/> must be its only audience, so that a relying
    /// party that received a token also addressed to it cannot replay it here.
    /// </summary>
    public JwtSvidValidationResult ValidatePresentedTo(string? token, string audience)
    {
        var result = Validate(token, [audience]);
        if (result.Svid is { } svid && svid.Audiences.Any(a => !string.Equals(a, audience, StringComparison.Ordinal)))
        {
            return JwtSvidValidationResult.Fail(IdentityErrorCodes.TokenAudienceMismatch, "A JWT-SVID presented to Mandate must have Mandate as its only audience.");
        }

        return result;
    }

    /// <summary>Validates <paramref name="token"/>; it passes when any of its audiences is one of <paramref name="acceptedAudiences"/>.</summary>
    public JwtSvidValidationResult Validate(string? token, IReadOnlyCollection<string> acceptedAudiences)
    {
        ArgumentNullException.ThrowIfNull(acceptedAudiences);
        // With the cache off, the digest (a SHA-256 of the token) would be work for nothing.
        if (cache.Enabled && token is { Length: > 0 and <= CompactJws.MaxTokenLength })
        {
            var digest = VerifiedTokenCache<VerifiedJwtSvid>.Digest(token);
            if (cache.TryGet(digest, out var remembered))
            {
                return Recheck(digest, remembered!, acceptedAudiences);
            }

            var result = ValidateUncached(token, acceptedAudiences, out var verified);
            if (result.IsValid)
            {
                cache.Add(digest, verified!, time.GetUtcNow());
            }

            return result;
        }

        return ValidateUncached(token, acceptedAudiences, out _);
    }

    /// <summary>Validated tokens currently remembered (their digests), for metrics and tests.</summary>
    public int CachedTokenCount => cache.Count;

    private JwtSvidValidationResult Recheck(TokenDigest digest, VerifiedJwtSvid remembered, IReadOnlyCollection<string> acceptedAudiences)
    {
        // The signature verdict is fixed by the token's bytes; whether its key is still published is not.
        if (keyRing.FindValidationKey(remembered.Svid.Kid) is null)
        {
            cache.Remove(digest);
            return JwtSvidValidationResult.Fail(IdentityErrorCodes.TokenUnknownKey, "The token's kid names no published key of this trust domain.");
        }

        var result = CheckUse(remembered.Svid, remembered.NotBefore, acceptedAudiences);
        if (result.Error?.Code == IdentityErrorCodes.TokenExpired)
        {
            cache.Remove(digest);
        }

        return result;
    }

    private JwtSvidValidationResult ValidateUncached(string? token, IReadOnlyCollection<string> acceptedAudiences, out VerifiedJwtSvid? verified)
    {
        verified = null;
        if (!CompactJws.TryParse(token, out var jws, out var error))
        {
            return new JwtSvidValidationResult(null, error);
        }

        if (!SigningAlgorithms.JwtSvid.Contains(jws!.Algorithm))
        {
            return JwtSvidValidationResult.Fail(IdentityErrorCodes.TokenAlgorithmRefused, $"The algorithm '{Printable(jws.Algorithm)}' is not allowed for JWT-SVIDs (the JWT-SVID specification's RS, ES and PS algorithms only; EdDSA, none and HMAC are refused).");
        }

        if (jws.Type is not null and not "JWT" and not "JOSE")
        {
            return JwtSvidValidationResult.Fail(IdentityErrorCodes.TokenMalformed, "The token header typ must be JWT or JOSE when present.");
        }

        if (string.IsNullOrEmpty(jws.Kid))
        {
            return JwtSvidValidationResult.Fail(IdentityErrorCodes.TokenMalformed, "The token header has no kid.");
        }

        if (!JwtClaimSet.TryRead(jws.Payload, out var claims, out var problem))
        {
            return JwtSvidValidationResult.Fail(IdentityErrorCodes.TokenMalformed, "The token payload is not valid: " + problem + ".");
        }

        if (claims!.Subject is null)
        {
            return JwtSvidValidationResult.Fail(IdentityErrorCodes.TokenSubjectInvalid, "The token has no sub claim.");
        }

        if (claims.ExpiresAt is not { } expiresAt)
        {
            return JwtSvidValidationResult.Fail(IdentityErrorCodes.TokenMalformed, "The token has no exp claim.");
        }

        if (!SpiffeId.TryParse(claims.Subject, out var subject, out var subjectError))
        {
            return JwtSvidValidationResult.Fail(IdentityErrorCodes.TokenSubjectInvalid, "The token's sub is not a SPIFFE ID: " + subjectError + ".");
        }

        var settings = options.Value;
        if (!subject.IsMemberOf(settings.TrustDomain) || !subject.HasPath)
        {
            return JwtSvidValidationResult.Fail(IdentityErrorCodes.TokenSubjectInvalid, $"The token's sub is not a workload of the trust domain {settings.TrustDomain}.");
        }

        var key = keyRing.FindValidationKey(jws.Kid);
        if (key is null)
        {
            return JwtSvidValidationResult.Fail(IdentityErrorCodes.TokenUnknownKey, "The token's kid names no published key of this trust domain.");
        }

        if (!string.Equals(key.Algorithm, jws.Algorithm, StringComparison.Ordinal))
        {
            return JwtSvidValidationResult.Fail(IdentityErrorCodes.TokenAlgorithmRefused, $"The token's alg {jws.Algorithm} is not the algorithm of key {key.Kid} ({key.Algorithm}).");
        }

        if (!key.Verify(jws.Algorithm, jws.SigningInput, jws.Signature))
        {
            return JwtSvidValidationResult.Fail(IdentityErrorCodes.TokenSignatureInvalid, "The token's signature does not verify.");
        }

        if (!string.Equals(claims.Issuer, keyRing.Issuer, StringComparison.Ordinal))
        {
            return JwtSvidValidationResult.Fail(IdentityErrorCodes.TokenIssuerMismatch, $"The token's iss is not {keyRing.Issuer}.");
        }

        if (!claims.HasAudience || claims.Audiences.Count == 0)
        {
            return JwtSvidValidationResult.Fail(IdentityErrorCodes.TokenAudienceMismatch, "The token has no aud claim.");
        }

        var svid = new JwtSvid(subject, claims.Audiences, claims.Issuer!, expiresAt, claims.IssuedAt, claims.Jti, key.Kid);
        var result = CheckUse(svid, claims.NotBefore, acceptedAudiences);
        if (result.IsValid)
        {
            verified = new VerifiedJwtSvid(svid, claims.NotBefore);
        }

        return result;
    }

    /// <summary>The checks that depend on where and when the token is presented rather than on its bytes.</summary>
    private JwtSvidValidationResult CheckUse(JwtSvid svid, DateTimeOffset? notBefore, IReadOnlyCollection<string> acceptedAudiences)
    {
        if (!AnyAccepted(svid.Audiences, acceptedAudiences))
        {
            return JwtSvidValidationResult.Fail(IdentityErrorCodes.TokenAudienceMismatch, "The token's audience is not accepted here.");
        }

        var now = time.GetUtcNow();
        var skew = options.Value.ClockSkew;
        if (now >= svid.ExpiresAt + skew)
        {
            return JwtSvidValidationResult.Fail(IdentityErrorCodes.TokenExpired, "The token has expired.") with { Dead = svid };
        }

        if (notBefore is { } nbf && now + skew < nbf)
        {
            return JwtSvidValidationResult.Fail(IdentityErrorCodes.TokenNotYetValid, "The token is not valid yet (nbf).");
        }

        if (svid.IssuedAt is { } issuedAt && now + skew < issuedAt)
        {
            return JwtSvidValidationResult.Fail(IdentityErrorCodes.TokenNotYetValid, "The token was issued in the future (iat).");
        }

        if (svid.Jti is { } jti && revocations.IsRevoked(jti))
        {
            return JwtSvidValidationResult.Fail(IdentityErrorCodes.TokenRevoked, "The token has been revoked.") with { Dead = svid };
        }

        if (directory.CheckUsable(svid.Subject.Value, now) is { } inactive)
        {
            return new JwtSvidValidationResult(null, inactive) { Dead = svid };
        }

        return new JwtSvidValidationResult(svid, null);
    }

    private static bool AnyAccepted(IReadOnlyList<string> audiences, IReadOnlyCollection<string> accepted)
    {
        for (var i = 0; i < audiences.Count; i++)
        {
            if (accepted.Contains(audiences[i]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Echoes at most a short, printable prefix of attacker-controlled text.</summary>
    private static string Printable(string value)
    {
        var clipped = value.Length > 16 ? value[..16] : value;
        return new string(clipped.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '?').ToArray());
    }
}
