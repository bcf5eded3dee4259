using System.Collections.Concurrent;
using System.Text.Json;
using Mandate.Core.Delegation;
using Mandate.Core.Identity;
using Mandate.Core.Identity.Inventory;
using Mandate.Core.Identity.Keys;
using Mandate.Core.Identity.Svid;
using Mandate.Core.Tasks;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Mandate.Core.Credentials;

/// <summary>
/// Validates JWTs signed by Mandate's key ring or by a configured trusted issuer: signature with a pinned algorithm,
/// issuer, <c>exp</c>/<c>nbf</c> against the injected clock, audience when asked, and revocation of Mandate tokens
/// (the token and every token it was exchanged from), and the standing of every identity the token names (subject,
/// each actor of its <c>act</c> chain, its client): a token naming a suspended, revoked, offboarded or expired
/// inventory identity is dead for as long as that identity is not active.
/// </summary>
internal sealed class TokenValidator(
    IKeyRing keyRing,
    IRevocationSet revocations,
    IdentityStanding standing,
    IOptionsMonitor<TokenExchangeOptions> options,
    IOptions<IdentityOptions> identity,
    TimeProvider time)
{
    private readonly JsonWebTokenHandler handler = new() { MapInboundClaims = false, SetDefaultTimesOnTokenCreation = false };
    private readonly ConcurrentDictionary<string, IReadOnlyList<SecurityKey>> parsedJwks = new(StringComparer.Ordinal);
    private readonly VerifiedTokenCache<RememberedSignature> signatures = new(identity.Value.ValidatedTokenCacheSize, remembered => remembered.Claims.ExpiresAt);

    /// <summary>How many tokens' signatures are remembered (<see cref="VerifiedTokenCache{TEntry}"/>).</summary>
    public int RememberedSignatures => signatures.Count;

    /// <summary>The identifiers accepted as <c>aud</c> of tokens addressed to Mandate itself.</summary>
    public IReadOnlyList<string> OwnAudiences => [keyRing.Issuer, .. options.CurrentValue.Audiences];

    public async Task<TokenValidationResult> ValidateAsync(string token, IReadOnlyCollection<string>? acceptedAudiences, int maxChainDepth)
    {
        if (string.IsNullOrWhiteSpace(token) || !handler.CanReadToken(token))
        {
            return TokenValidationResult.Fail(TokenValidationFailure.Malformed, "the token is not a signed JWT");
        }

        // The same credential presented again: its signature and claims are known, what can change is checked below.
        // Claims are read with a chain depth limit, so an entry read under another limit is read again; an entry whose
        // key is no longer published is forgotten.
        var digest = signatures.Enabled ? VerifiedTokenCache<RememberedSignature>.Digest(token) : default;
        if (signatures.TryGet(digest, out var remembered) && remembered!.MaxChainDepth == maxChainDepth)
        {
            if (IsPublished(remembered.KeyId))
            {
                return Check(remembered.Claims, own: true, remembered.Algorithm, acceptedAudiences);
            }

            signatures.Remove(digest);
        }

        JsonWebToken unverified;
        try
        {
            unverified = handler.ReadJsonWebToken(token);
        }
        catch (ArgumentException)
        {
            return TokenValidationResult.Fail(TokenValidationFailure.Malformed, "the token is not a signed JWT");
        }

        var issuer = unverified.TryGetPayloadValue<string>("iss", out var iss) ? iss : null;
        var subject = unverified.TryGetPayloadValue<string>("sub", out var sub) ? sub : null;
        var own = issuer is not null && string.Equals(issuer, keyRing.Issuer, StringComparison.Ordinal);
        IEnumerable<SecurityKey> keys;
        IEnumerable<string> algorithms;
        if (own)
        {
            keys = keyRing.ValidationKeys();
            algorithms = SigningAlgorithms.All;
        }
        else if (FindTrustedIssuer(issuer, subject) is { } trusted)
        {
            if (ClaimsOwnTrustDomain(subject))
            {
                return TokenValidationResult.Fail(TokenValidationFailure.UntrustedIssuer, $"only Mandate speaks for identities of its trust domain {keyRing.TrustDomain}, not the issuer '{issuer ?? trusted.TrustDomain}'");
            }

            if (!TryGetKeys(trusted, out var trustedKeys))
            {
                return TokenValidationResult.Fail(TokenValidationFailure.UntrustedIssuer, $"the keys configured for issuer '{issuer ?? trusted.TrustDomain}' are not a valid JWKS");
            }

            keys = trustedKeys;
            algorithms = trusted.Algorithms.Where(a => !a.StartsWith("HS", StringComparison.OrdinalIgnoreCase) && !a.Equals("none", StringComparison.OrdinalIgnoreCase));
        }
        else
        {
            return TokenValidationResult.Fail(TokenValidationFailure.UntrustedIssuer, issuer is null ? "the token has no issuer Mandate trusts" : $"the issuer '{issuer}' is not trusted");
        }

        var parameters = new TokenValidationParameters
        {
            ValidateIssuer = issuer is not null,
            ValidIssuer = issuer,
            ValidateAudience = false,
            ValidateLifetime = false,
            RequireExpirationTime = false,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = false,
            IssuerSigningKeys = keys,
            ValidAlgorithms = algorithms,
            TryAllIssuerSigningKeys = true,
        };
        // The token read above is the one validated: parsed once, not again from its text.
        var validation = await handler.ValidateTokenAsync(unverified, parameters).ConfigureAwait(false);
        if (!validation.IsValid)
        {
            return TokenValidationResult.Fail(TokenValidationFailure.BadSignature, "the token's signature does not verify with the issuer's keys");
        }

        ValidatedToken claims;
        try
        {
            var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(unverified.EncodedPayload)).RootElement.Clone();
            if (!TryReadClaims(payload, unverified, own, maxChainDepth, out claims, out var error))
            {
                return TokenValidationResult.Fail(TokenValidationFailure.Malformed, error!);
            }
        }
        catch (Exception ex) when (ex is JsonException or FormatException or ArgumentException)
        {
            return TokenValidationResult.Fail(TokenValidationFailure.Malformed, "the token's claims are not valid JSON");
        }

        if (own && signatures.Enabled && unverified.SigningKey?.KeyId is { Length: > 0 } keyId)
        {
            signatures.Add(digest, new RememberedSignature(claims, keyId, unverified.Alg, maxChainDepth), time.GetUtcNow());
        }

        return Check(claims, own, unverified.Alg, acceptedAudiences);
    }

    /// <summary>What is checked on every presentation of a token whose signature verified: what it may be used for now.</summary>
    private TokenValidationResult Check(ValidatedToken claims, bool own, string algorithm, IReadOnlyCollection<string>? acceptedAudiences)
    {
        // A JWT-SVID of ours only with an algorithm the JWT-SVID specification allows, even if a key of the ring (an
        // EdDSA ring's own key) verifies it: Mandate never signs one otherwise, so such a token is not ours to accept.
        if (own && claims.Kind == CredentialKinds.Svid && !SigningAlgorithms.JwtSvid.Contains(algorithm))
        {
            return TokenValidationResult.Fail(TokenValidationFailure.BadSignature, $"a JWT-SVID must be signed with RS, ES or PS (the JWT-SVID specification), not {algorithm}");
        }

        var now = time.GetUtcNow();
        var skew = options.CurrentValue.ClockSkew;
        if (now > claims.ExpiresAt + skew)
        {
            return new TokenValidationResult(null, TokenValidationFailure.Expired, $"the token expired at {claims.ExpiresAt:O}") { GenuineButDead = claims };
        }

        if (claims.NotBefore is { } nbf && nbf > now + skew)
        {
            return TokenValidationResult.Fail(TokenValidationFailure.NotYetValid, $"the token is not valid before {nbf:O}");
        }

        if (acceptedAudiences is not null && !claims.Audiences.Any(a => acceptedAudiences.Contains(a, StringComparer.Ordinal)))
        {
            return TokenValidationResult.Fail(
                TokenValidationFailure.WrongAudience,
                claims.Audiences.Count == 0 ? "the token has no audience" : $"the token is addressed to {string.Join(", ", claims.Audiences)}, not to this server");
        }

        // A JWT-SVID presented to Mandate (subject or actor token, client assertion) is addressed to Mandate alone: one
        // that also names a relying party could be replayed here by that party.
        if (acceptedAudiences is not null && own && claims.Kind == CredentialKinds.Svid
            && claims.Audiences.Any(a => !acceptedAudiences.Contains(a, StringComparer.Ordinal)))
        {
            return TokenValidationResult.Fail(TokenValidationFailure.WrongAudience, "a JWT-SVID presented to Mandate must have Mandate as its only audience");
        }

        if (own && IsRevoked(claims) is { } revokedJti)
        {
            var what = revokedJti == claims.Jti ? "the token has been revoked" : "a token it was exchanged from has been revoked";
            return new TokenValidationResult(null, TokenValidationFailure.Revoked, what) { GenuineButDead = claims };
        }

        if (standing.FirstInactive(Parties(claims)) is { } inactive)
        {
            return new TokenValidationResult(null, TokenValidationFailure.IdentityInactive, inactive.Message) { GenuineButDead = claims };
        }

        return new TokenValidationResult(claims, TokenValidationFailure.None, null);
    }

    private bool IsPublished(string keyId)
    {
        foreach (var key in keyRing.ValidationKeys())
        {
            if (string.Equals(key.KeyId, keyId, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static IEnumerable<string?> Parties(ValidatedToken token)
    {
        yield return token.Subject;
        foreach (var actor in token.Chain.Subjects)
        {
            yield return actor;
        }

        yield return token.ClientId;
    }

    private string? IsRevoked(ValidatedToken token)
    {
        if (token.Jti is { } jti && revocations.IsRevoked(jti))
        {
            return jti;
        }

        foreach (var ancestor in token.Lineage)
        {
            if (revocations.IsRevoked(ancestor))
            {
                return ancestor;
            }
        }

        return null;
    }

    /// <summary>Whether a foreign token's <c>sub</c> names a workload of Mandate's own trust domain, which only Mandate's key ring may.</summary>
    private bool ClaimsOwnTrustDomain(string? subject)
    {
        var own = "spiffe://" + keyRing.TrustDomain;
        return subject is not null
            && subject.StartsWith(own, StringComparison.OrdinalIgnoreCase)
            && (subject.Length == own.Length || subject[own.Length] == '/');
    }

    private TrustedIssuerOptions? FindTrustedIssuer(string? issuer, string? subject)
    {
        var trusted = options.CurrentValue.TrustedIssuers;
        if (issuer is not null)
        {
            return trusted.FirstOrDefault(t => string.Equals(t.Issuer, issuer, StringComparison.Ordinal));
        }

        // A JWT-SVID may omit iss: it is then trusted through the bundle of its SPIFFE ID's trust domain.
        // A subject that is not a valid SPIFFE ID has no trust domain, so no bundle speaks for it.
        if (SpiffeId.TryParse(subject, out var spiffeId))
        {
            return trusted.FirstOrDefault(t => t.Issuer is null && string.Equals(t.TrustDomain, spiffeId.TrustDomain, StringComparison.OrdinalIgnoreCase));
        }

        return null;
    }

    private bool TryGetKeys(TrustedIssuerOptions trusted, out IReadOnlyList<SecurityKey> keys)
    {
        keys = null!;
        if (string.IsNullOrWhiteSpace(trusted.Jwks))
        {
            return false;
        }

        try
        {
            keys = parsedJwks.GetOrAdd(trusted.Jwks, static json => SigningKeys(new JsonWebKeySet(json) { SkipUnresolvedJsonWebKeys = true }));
            return true;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            return false;
        }
    }

    /// <summary>The set's EC and RSA keys as Microsoft.IdentityModel resolves them, plus its Ed25519 keys, which it cannot.</summary>
    private static List<SecurityKey> SigningKeys(JsonWebKeySet jwks)
    {
        var keys = new List<SecurityKey>(jwks.GetSigningKeys());
        foreach (var jwk in jwks.Keys)
        {
            if (jwk.Kty == "OKP" && jwk.Crv == Ed25519SecurityKey.Curve && jwk.Use is null or "sig"
                && Ed25519SecurityKey.FromRawPublicKey(Base64UrlEncoder.DecodeBytes(jwk.X ?? string.Empty)) is { } ed25519)
            {
                ed25519.KeyId = jwk.Kid;
                keys.Add(ed25519);
            }
        }

        return keys;
    }

    private static bool TryReadClaims(JsonElement payload, JsonWebToken jwt, bool own, int maxChainDepth, out ValidatedToken token, out string? error)
    {
        token = null!;
        error = null;
        if (payload.ValueKind != JsonValueKind.Object)
        {
            error = "the token's claims are not a JSON object";
            return false;
        }

        var subject = String(payload, "sub");
        if (string.IsNullOrEmpty(subject))
        {
            error = "the token has no sub";
            return false;
        }

        if (Time(payload, "exp") is not { } exp)
        {
            error = "the token has no exp";
            return false;
        }

        var audiences = payload.TryGetProperty("aud", out var aud)
            ? aud.ValueKind switch
            {
                JsonValueKind.String => [aud.GetString()!],
                JsonValueKind.Array => aud.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String).Select(a => a.GetString()!).ToList(),
                _ => (IReadOnlyList<string>)[],
            }
            : [];
        var scope = String(payload, "scope");
        if (!ActorChain.TryParse(payload.TryGetProperty("act", out var act) ? act : null, maxChainDepth, out var chain, out error))
        {
            return false;
        }

        TaskIntent? intent = null;
        if (own && payload.TryGetProperty(MandateClaims.Intent, out var intentClaim) && intentClaim.ValueKind == JsonValueKind.Object)
        {
            intent = intentClaim.Deserialize<TaskIntent>(TaskIntentJson.Options);
        }

        IReadOnlyList<string> lineage = own && payload.TryGetProperty(MandateClaims.Lineage, out var lineageClaim) && lineageClaim.ValueKind == JsonValueKind.Array
            ? lineageClaim.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList()
            : [];
        ProofOfPossession? confirmation = null;
        if (payload.TryGetProperty("cnf", out var cnf) && cnf.ValueKind == JsonValueKind.Object)
        {
            if (String(cnf, ProofOfPossession.Methods.Dpop) is { } jkt)
            {
                confirmation = new ProofOfPossession(ProofOfPossession.Methods.Dpop, jkt);
            }
            else if (String(cnf, ProofOfPossession.Methods.X509) is { } x5t)
            {
                confirmation = new ProofOfPossession(ProofOfPossession.Methods.X509, x5t);
            }
        }

        token = new ValidatedToken
        {
            Issuer = String(payload, "iss"),
            Subject = subject,
            Jti = String(payload, "jti"),
            Audiences = audiences,
            IssuedAt = Time(payload, "iat"),
            NotBefore = Time(payload, "nbf"),
            ExpiresAt = exp,
            Scopes = ScopeSet.Parse(scope),
            Chain = chain,
            MayAct = payload.TryGetProperty("may_act", out var mayAct) ? mayAct.Clone() : null,
            IsMandateIssued = own,
            Kind = own ? String(payload, MandateClaims.Kind) ?? CredentialKinds.Svid : null,
            TaskId = own ? String(payload, MandateClaims.TaskId) : null,
            Intent = intent,
            Lineage = lineage,
            Confirmation = confirmation,
            ClientId = String(payload, "client_id"),
            TokenType = jwt.Typ,
            Payload = payload,
        };
        return true;
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateTimeOffset? Time(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var seconds)
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000))
            : null;

    /// <summary>What a verified signature established for one token text, and the chain depth limit its claims were read with.</summary>
    private sealed record RememberedSignature(ValidatedToken Claims, string KeyId, string Algorithm, int MaxChainDepth);
}
