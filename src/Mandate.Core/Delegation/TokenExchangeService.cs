using System.Globalization;
using System.Text.Json;
using Mandate.Core.Audit;
using Mandate.Core.Credentials;
using Mandate.Core.Identity.Keys;
using Mandate.Core.Storage;
using Mandate.Protocol.OAuth;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Delegation;

/// <summary>
/// RFC 8693 token exchange. The issued token keeps the subject's <c>sub</c>, nests the whole actor chain in
/// <c>act</c> (current actor outermost), only narrows scope, never outlives the subject token, and is recorded as a
/// child of a Mandate subject token so that revoking the parent revokes it too.
/// </summary>
internal sealed class TokenExchangeService
{
    /// <summary>Actors read from an input token at most; a longer chain is refused long before this.</summary>
    private const int ChainReadLimit = 64;

    private readonly TokenValidator validator;
    private readonly CredentialIssuer issuer;
    private readonly IKeyRing keyRing;
    private readonly IMandateStore store;
    private readonly IAuditTrail audit;
    private readonly CredentialUseRecorder uses;
    private readonly TokenReuseDetector reuse;
    private readonly IOptionsMonitor<TokenExchangeOptions> options;
    private readonly TimeProvider time;

    internal TokenExchangeService(
        TokenValidator validator,
        CredentialIssuer issuer,
        IKeyRing keyRing,
        IMandateStore store,
        IAuditTrail audit,
        CredentialUseRecorder uses,
        TokenReuseDetector reuse,
        IOptionsMonitor<TokenExchangeOptions> options,
        TimeProvider time)
    {
        this.validator = validator;
        this.issuer = issuer;
        this.keyRing = keyRing;
        this.store = store;
        this.audit = audit;
        this.uses = uses;
        this.reuse = reuse;
        this.options = options;
        this.time = time;
    }

    public static IReadOnlyList<string> SupportedTokenTypes { get; } = [TokenTypes.AccessToken, TokenTypes.Jwt];

    public async Task<TokenExchangeOutcome> ExchangeAsync(TokenExchangeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var settings = options.CurrentValue;

        // 1. The request itself (RFC 8693 §2.1).
        if (string.IsNullOrEmpty(request.GrantType))
        {
            return Invalid("grant_type is required");
        }

        if (request.GrantType != GrantTypes.TokenExchange)
        {
            return TokenExchangeOutcome.Refused(OAuthErrorCodes.UnsupportedGrantType, $"grant_type '{request.GrantType}' is not supported; use {GrantTypes.TokenExchange}");
        }

        if (string.IsNullOrEmpty(request.SubjectToken))
        {
            return Invalid("subject_token is required");
        }

        if (string.IsNullOrEmpty(request.SubjectTokenType))
        {
            return Invalid("subject_token_type is required");
        }

        var hasActor = !string.IsNullOrEmpty(request.ActorToken);
        if (hasActor && string.IsNullOrEmpty(request.ActorTokenType))
        {
            return Invalid("actor_token_type is required when actor_token is present");
        }

        if (!hasActor && !string.IsNullOrEmpty(request.ActorTokenType))
        {
            return Invalid("actor_token_type must not be sent without actor_token");
        }

        if (request.RequestedTokenType is { Length: > 0 } requestedType && !SupportedTokenTypes.Contains(requestedType))
        {
            return Invalid($"requested_token_type '{requestedType}' is not supported; Mandate issues {string.Join(" or ", SupportedTokenTypes)}");
        }

        if (!SupportedTokenTypes.Contains(request.SubjectTokenType))
        {
            return Invalid($"subject_token_type '{request.SubjectTokenType}' is not supported; Mandate validates {string.Join(" and ", SupportedTokenTypes)}");
        }

        if (hasActor && !SupportedTokenTypes.Contains(request.ActorTokenType))
        {
            return Invalid($"actor_token_type '{request.ActorTokenType}' is not supported; Mandate validates {string.Join(" and ", SupportedTokenTypes)}");
        }

        // 2. Targets (RFC 8693 §2.1, RFC 8707 §2).
        var targets = ResolveTargets(request, settings, out var targetError);
        if (targetError is not null)
        {
            await RecordRefusalAsync(request, null, null, targetError, cancellationToken);
            return TokenExchangeOutcome.Refused(OAuthErrorCodes.InvalidTarget, targetError);
        }

        IReadOnlyList<string>? requestedScopes = null;
        if (request.Scope is not null)
        {
            requestedScopes = ScopeSet.Parse(request.Scope);
            if (requestedScopes.Count == 0 || requestedScopes.Any(s => !ScopeSet.IsValidToken(s)))
            {
                return TokenExchangeOutcome.Refused(OAuthErrorCodes.InvalidScope, "scope must be space-separated scope tokens");
            }
        }

        // 3. The input tokens: whatever is wrong with them is invalid_request (RFC 8693 §2.2.2).
        var ownAudiences = validator.OwnAudiences;
        var subjectResult = await validator.ValidateAsync(request.SubjectToken, ownAudiences, ChainReadLimit);
        if (!subjectResult.IsValid)
        {
            await RaiseReuseAsync(subjectResult, request, cancellationToken);
            return Invalid($"subject_token is not valid: {subjectResult.Description}");
        }

        var subject = subjectResult.Token!;
        if (subject.Confirmation is { Method: ProofOfPossession.Methods.Dpop } bound && !string.Equals(bound.Thumbprint, request.DpopThumbprint, StringComparison.Ordinal))
        {
            return Invalid("subject_token is DPoP-bound: send a DPoP proof signed with its key");
        }

        if (subject.Confirmation is { Method: ProofOfPossession.Methods.X509 })
        {
            return Invalid("subject_token is bound to an X.509 certificate, which this endpoint does not accept as proof");
        }

        ValidatedToken? actor = null;
        if (hasActor)
        {
            var actorResult = await validator.ValidateAsync(request.ActorToken!, ownAudiences, ChainReadLimit);
            if (!actorResult.IsValid)
            {
                await RaiseReuseAsync(actorResult, request, cancellationToken);
                return Invalid($"actor_token is not valid: {actorResult.Description}");
            }

            actor = actorResult.Token!;
        }

        // 4. Delegation policy: who may act, cycles, depth.
        var chain = subject.Chain;
        if (actor is not null)
        {
            if (DelegationRefusal(subject, actor, request.ClientId) is { } refusal)
            {
                await RecordRefusalAsync(request, subject, actor, refusal, cancellationToken);
                return Invalid(refusal);
            }

            var actorIdentity = new Actor(actor.Subject, string.Equals(actor.Issuer, subject.Issuer, StringComparison.Ordinal) ? null : actor.Issuer);
            chain = chain.Prepend(actorIdentity);
            if (chain.Depth > settings.MaxChainDepth)
            {
                var depth = chain.Depth > ChainReadLimit ? $"more than {ChainReadLimit}" : chain.Depth.ToString(CultureInfo.InvariantCulture);
                var message = $"the delegation chain would be {depth} actors deep, over the maximum depth of {settings.MaxChainDepth}";
                await RecordRefusalAsync(request, subject, actor, message, cancellationToken);
                return Invalid(message);
            }
        }
        else if (!settings.AllowImpersonation)
        {
            return Invalid("this server issues delegated tokens only: send an actor_token (impersonation is disabled)");
        }

        // 5. Scope only narrows.
        var scopes = subject.Scopes;
        if (requestedScopes is not null)
        {
            var beyond = ScopeSet.Beyond(requestedScopes, subject.Scopes);
            if (beyond.Count > 0)
            {
                var message = $"the requested scope {ScopeSet.Format(beyond)} is beyond the subject token's scope '{ScopeSet.Format(subject.Scopes)}'";
                await RecordRefusalAsync(request, subject, actor, message, cancellationToken);
                return TokenExchangeOutcome.Refused(OAuthErrorCodes.InvalidScope, message);
            }

            scopes = requestedScopes;
        }

        // 6. Lifetime: never beyond the subject token.
        var now = DateTimeOffset.FromUnixTimeSeconds(time.GetUtcNow().ToUnixTimeSeconds());
        var expires = Min(Min(now + settings.DefaultLifetime, subject.ExpiresAt), now + keyRing.MaxTokenLifetime);
        expires = DateTimeOffset.FromUnixTimeSeconds(expires.ToUnixTimeSeconds());
        if (expires <= now)
        {
            return Invalid("subject_token has no lifetime left to give");
        }

        var issuedType = string.IsNullOrEmpty(request.RequestedTokenType)
            ? (request.SubjectTokenType == TokenTypes.Jwt ? TokenTypes.Jwt : TokenTypes.AccessToken)
            : request.RequestedTokenType;
        var confirmation = request.DpopThumbprint is null ? null : new ProofOfPossession(ProofOfPossession.Methods.Dpop, request.DpopThumbprint);
        var issued = issuer.Issue(new CredentialDraft
        {
            Kind = CredentialKinds.Exchanged,
            Subject = subject.Subject,
            Audiences = targets,
            Scopes = scopes,
            IssuedAt = now,
            ExpiresAt = expires,
            Chain = chain,
            TaskId = subject.TaskId,
            Intent = subject.Intent,
            ParentJti = subject.IsMandateIssued ? subject.Jti : null,
            Lineage = subject.IsMandateIssued && subject.Jti is not null ? [.. subject.Lineage, subject.Jti] : [],
            Confirmation = confirmation,
            ClientId = request.ClientId,
            // Never plain "JWT": an exchanged token must not pass for a JWT-SVID where SVIDs are accepted.
            TokenType = issuedType == TokenTypes.AccessToken ? "at+jwt" : "exchanged+jwt",
        });

        await using (var session = await store.BeginAsync(StoreIntent.Write, cancellationToken))
        {
            await session.Get<ICredentialRepository>().InsertAsync(issued.Record, cancellationToken);
            await audit.RecordAsync(
                session,
                new AuditEvent
                {
                    Type = "credential.exchanged",
                    Actor = actor?.Subject ?? request.ClientId,
                    Subject = subject.Subject,
                    Chain = chain.Subjects,
                    Action = "token_exchange",
                    Resource = string.Join(' ', targets),
                    Decision = "allow",
                    CredentialId = issued.Record.Jti,
                    TaskId = subject.TaskId,
                    RequestId = request.RequestId,
                    Details = new Dictionary<string, string>(StringComparer.Ordinal)
                    {
                        ["parent_jti"] = subject.Jti ?? string.Empty,
                        ["parent_issuer"] = subject.Issuer ?? string.Empty,
                        ["scope"] = ScopeSet.Format(scopes),
                        ["issued_token_type"] = issuedType,
                        ["client_id"] = request.ClientId ?? string.Empty,
                        ["expires_at"] = expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                    },
                },
                cancellationToken);
            await session.CommitAsync(cancellationToken);
        }

        if (subject.IsMandateIssued && subject.Jti is not null)
        {
            uses.Record(subject.Jti, time.GetUtcNow(), "token_exchange");
        }

        return TokenExchangeOutcome.Issued(new TokenExchangeResponse
        {
            AccessToken = issued.Token,
            IssuedTokenType = issuedType,
            TokenType = issuedType == TokenTypes.AccessToken ? (confirmation is null ? "Bearer" : "DPoP") : "N_A",
            ExpiresIn = (long)(issued.Record.ExpiresAt - now).TotalSeconds,
            Scope = scopes.Count == 0 ? null : ScopeSet.Format(scopes),
        });
    }

    /// <summary>Why <paramref name="actor"/> may not act for the subject, or null when it may.</summary>
    private static string? DelegationRefusal(ValidatedToken subject, ValidatedToken actor, string? clientId)
    {
        if (string.Equals(actor.Subject, subject.Subject, StringComparison.Ordinal) || subject.Chain.Contains(actor.Subject))
        {
            return $"{actor.Subject} is already in the delegation chain; a cycle is refused";
        }

        if (subject.MayAct is { } mayAct)
        {
            return MayActMatches(mayAct, actor)
                ? null
                : $"the subject token's may_act does not name the actor {actor.Subject}{(actor.Issuer is null ? string.Empty : " of " + actor.Issuer)}";
        }

        if (subject.Intent is { } intent && intent.Delegates.Contains(actor.Subject, StringComparer.Ordinal))
        {
            return null;
        }

        // Without may_act, the party that holds the subject token's authority (its subject or current actor) must be
        // the one asking: otherwise a token lifted from one flow could be spliced into another (RFC 8693 gap).
        if (clientId is not null
            && (string.Equals(clientId, subject.Subject, StringComparison.Ordinal)
                || string.Equals(clientId, subject.Chain.Current?.Subject, StringComparison.Ordinal)))
        {
            return null;
        }

        return $"nothing authorizes {actor.Subject} to act for {subject.Subject}: the subject token has no may_act naming it, the task does not list it as a delegate, and the client is neither the subject nor its current actor";
    }

    /// <summary>RFC 8693 §4.4: every member of <c>may_act</c> must equal the actor token's claim of the same name.</summary>
    private static bool MayActMatches(JsonElement mayAct, ValidatedToken actor)
    {
        if (mayAct.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        var any = false;
        foreach (var member in mayAct.EnumerateObject())
        {
            if (member.Name is "exp" or "nbf" or "aud" or "iat")
            {
                continue;
            }

            any = true;
            if (!actor.Payload.TryGetProperty(member.Name, out var claim) || !JsonElement.DeepEquals(claim, member.Value))
            {
                return false;
            }
        }

        return any;
    }

    private IReadOnlyList<string> ResolveTargets(TokenExchangeRequest request, TokenExchangeOptions settings, out string? error)
    {
        error = null;
        var targets = new List<string>();
        foreach (var resource in request.Resources)
        {
            if (!Uri.TryCreate(resource, UriKind.Absolute, out _) || resource.Contains('#', StringComparison.Ordinal))
            {
                error = $"resource '{resource}' must be an absolute URI without a fragment";
                return [];
            }

            var match = settings.AllowedResources.FirstOrDefault(r =>
                resource == r
                || (resource.StartsWith(r, StringComparison.Ordinal) && resource.Length > r.Length && (r.EndsWith('/') || resource[r.Length] is '/' or '?')));
            if (match is null)
            {
                error = $"Mandate does not issue tokens for resource '{resource}'";
                return [];
            }

            targets.Add(match);
        }

        foreach (var audience in request.Audiences)
        {
            if (string.IsNullOrWhiteSpace(audience) || !AudienceAllowed(audience, settings))
            {
                error = $"Mandate does not issue tokens for audience '{audience}'";
                return [];
            }

            targets.Add(audience);
        }

        return targets.Count == 0 ? [keyRing.Issuer] : targets.Distinct(StringComparer.Ordinal).ToList();
    }

    private bool AudienceAllowed(string audience, TokenExchangeOptions settings)
    {
        if (validator.OwnAudiences.Contains(audience, StringComparer.Ordinal)
            || audience.StartsWith("spiffe://" + keyRing.TrustDomain + "/", StringComparison.Ordinal))
        {
            return true;
        }

        return settings.AllowedAudiences.Any(pattern => pattern.EndsWith('*')
            ? audience.StartsWith(pattern[..^1], StringComparison.Ordinal)
            : string.Equals(pattern, audience, StringComparison.Ordinal));
    }

    private async Task RaiseReuseAsync(TokenValidationResult result, TokenExchangeRequest request, CancellationToken cancellationToken)
    {
        if (result.GenuineButDead is { IsMandateIssued: true } dead)
        {
            await reuse.RaiseAsync(dead, result.Failure, "token_exchange", request.ClientId, request.RequestId, cancellationToken);
        }
    }

    private async Task RecordRefusalAsync(TokenExchangeRequest request, ValidatedToken? subject, ValidatedToken? actor, string reason, CancellationToken cancellationToken)
    {
        try
        {
            await using var session = await store.BeginAsync(StoreIntent.Write, cancellationToken);
            await audit.RecordAsync(
                session,
                new AuditEvent
                {
                    Type = "delegation.exchange_refused",
                    Actor = actor?.Subject ?? request.ClientId,
                    Subject = subject?.Subject,
                    Chain = subject?.Chain.Subjects,
                    Action = "token_exchange",
                    Resource = string.Join(' ', request.Audiences.Concat(request.Resources)),
                    Decision = "deny",
                    CredentialId = subject?.IsMandateIssued == true ? subject.Jti : null,
                    TaskId = subject?.TaskId,
                    Reason = reason,
                    RequestId = request.RequestId,
                    Details = new Dictionary<string, string>(StringComparer.Ordinal)
                    {
                        ["requested_scope"] = request.Scope ?? string.Empty,
                        ["client_id"] = request.ClientId ?? string.Empty,
                    },
                },
                cancellationToken);
            await session.CommitAsync(cancellationToken);
        }
        catch (StoreException)
        {
            // The refusal stands even when it cannot be recorded; readiness reports the store.
        }
    }

    private static TokenExchangeOutcome Invalid(string description) => TokenExchangeOutcome.Refused(OAuthErrorCodes.InvalidRequest, description);

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
