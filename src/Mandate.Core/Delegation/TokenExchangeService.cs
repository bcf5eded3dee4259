using System.Globalization;
using Mandate.Core.Audit;
using Mandate.Core.Credentials;
using Mandate.Core.Identity.Keys;
using Mandate.Core.Storage;
using Mandate.Protocol.OAuth;
using Microsoft.Extensions.Options;

namespace Mandate.Core.Delegation;

/// <summary>
/// RFC 8693 token exchange. The issued token keeps the subject's <c>sub</c>, nests the whole actor chain in
/// <c>act</c> (current actor outermost), only narrows scope and task intent, never outlives the subject or actor token,
/// and is recorded as a child of a Mandate subject token (and carries both input tokens' lineage) so that revoking
/// either revokes it too. The actor token must be the acting party's own identity token (<see cref="ActorTokenRules"/>).
/// </summary>
internal sealed class TokenExchangeService
{
    /// <summary>Actors read from an input token at most; a longer chain is refused long before this.</summary>
    private const int ChainReadLimit = 64;

    private readonly TokenValidator validator;
    private readonly CredentialIssuer issuer;
    private readonly IKeyRing keyRing;
    private readonly TokenExchangeAudit records;
    private readonly CredentialUseRecorder uses;
    private readonly TokenReuseDetector reuse;
    private readonly IOptionsMonitor<TokenExchangeOptions> options;
    private readonly TimeProvider time;
    private readonly Telemetry.MandateMetrics? metrics;

    internal TokenExchangeService(
        TokenValidator validator,
        CredentialIssuer issuer,
        IKeyRing keyRing,
        IMandateStore store,
        IAuditTrail audit,
        CredentialUseRecorder uses,
        TokenReuseDetector reuse,
        IOptionsMonitor<TokenExchangeOptions> options,
        TimeProvider time,
        Telemetry.MandateMetrics? metrics = null)
    {
        this.metrics = metrics;
        this.validator = validator;
        this.issuer = issuer;
        this.keyRing = keyRing;
        records = new TokenExchangeAudit(store, audit);
        this.uses = uses;
        this.reuse = reuse;
        this.options = options;
        this.time = time;
    }

    public static IReadOnlyList<string> SupportedTokenTypes { get; } = [TokenTypes.AccessToken, TokenTypes.Jwt];

    /// <summary>
    /// Validates the request, resolves its targets and scope, validates the subject (and actor) token, applies the
    /// delegation policy, narrows scope and lifetime, then issues and records the token; the first refusal wins.
    /// </summary>
    public async Task<TokenExchangeOutcome> ExchangeAsync(TokenExchangeRequest request, CancellationToken cancellationToken)
    {
        var outcome = await ExchangeOnceAsync(request, cancellationToken).ConfigureAwait(false);
        metrics?.TokenExchanged(outcome.Error?.Error);
        if (outcome.Error is null)
        {
            metrics?.CredentialIssued(Telemetry.MandateMetrics.IssuedKinds.Exchanged);
        }

        return outcome;
    }

    private async Task<TokenExchangeOutcome> ExchangeOnceAsync(TokenExchangeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var settings = options.CurrentValue;

        // 1. The request itself (RFC 8693 §2.1).
        if (TokenExchangeRequestRules.Check(request) is { } malformed)
        {
            return malformed;
        }

        // 2. Targets (RFC 8693 §2.1, RFC 8707 §2), and the scope asked for.
        var targets = TokenExchangeTargets.Resolve(request, settings, validator.OwnAudiences, keyRing.Issuer, keyRing.TrustDomain, out var targetError);
        if (targetError is not null)
        {
            await records.RecordRefusalAsync(request, null, null, targetError, cancellationToken).ConfigureAwait(false);
            return TokenExchangeOutcome.Refused(OAuthErrorCodes.InvalidTarget, targetError);
        }

        if (!TokenExchangeRequestRules.TryParseScope(request.Scope, out var requestedScopes))
        {
            return TokenExchangeOutcome.Refused(OAuthErrorCodes.InvalidScope, "scope must be space-separated scope tokens");
        }

        // 3. The input tokens: whatever is wrong with them is invalid_request (RFC 8693 §2.2.2).
        var (subject, actor, inputRefusal) = await ValidateInputTokensAsync(request, cancellationToken).ConfigureAwait(false);
        if (inputRefusal is not null)
        {
            return inputRefusal;
        }

        // 4. Delegation policy: who may act, cycles, depth.
        var (chain, delegationRefusal) = await DelegateAsync(request, subject!, actor, settings, cancellationToken).ConfigureAwait(false);
        if (delegationRefusal is not null)
        {
            return delegationRefusal;
        }

        // 5. Scope only narrows.
        var (scopes, scopeRefusal) = await NarrowScopeAsync(request, subject!, actor, requestedScopes, cancellationToken).ConfigureAwait(false);
        if (scopeRefusal is not null)
        {
            return scopeRefusal;
        }

        // 5b. The task intent narrows with the scope and as asked; it never widens.
        var (intent, intentRefusal) = IntentNarrowing.Narrow(subject!.Intent, scopes!, request.Intent);
        if (intentRefusal is not null)
        {
            await records.RecordRefusalAsync(request, subject, actor, intentRefusal.Error!.ErrorDescription!, cancellationToken, Detection.Rules.ScopeWideningAttemptRule.RefusalKind).ConfigureAwait(false);
            return intentRefusal;
        }

        // 6. Lifetime: never beyond the subject token, nor beyond the actor token (the new token dies with either).
        var now = DateTimeOffset.FromUnixTimeSeconds(time.GetUtcNow().ToUnixTimeSeconds());
        var expires = Min(Min(now + settings.DefaultLifetime, subject.ExpiresAt), now + keyRing.MaxTokenLifetime);
        if (actor is not null)
        {
            expires = Min(expires, actor.ExpiresAt);
        }

        expires = DateTimeOffset.FromUnixTimeSeconds(expires.ToUnixTimeSeconds());
        if (expires <= now)
        {
            return Invalid("subject_token has no lifetime left to give");
        }

        // 7. Issue, store and record it.
        return await IssueAsync(request, new ExchangeGrant(subject, actor, chain!, targets, scopes!, intent, now, expires), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Step 3: the subject token (and its proof of possession) and the actor token, when one is sent.</summary>
    private async Task<(ValidatedToken? Subject, ValidatedToken? Actor, TokenExchangeOutcome? Refusal)> ValidateInputTokensAsync(
        TokenExchangeRequest request, CancellationToken cancellationToken)
    {
        var ownAudiences = validator.OwnAudiences;
        var subjectResult = await validator.ValidateAsync(request.SubjectToken!, ownAudiences, ChainReadLimit).ConfigureAwait(false);
        if (!subjectResult.IsValid)
        {
            await RaiseReuseAsync(subjectResult, request, cancellationToken).ConfigureAwait(false);
            return (null, null, Invalid($"subject_token is not valid: {subjectResult.Description}"));
        }

        var subject = subjectResult.Token!;
        if (subject.Confirmation is { Method: ProofOfPossession.Methods.Dpop } bound && !string.Equals(bound.Thumbprint, request.DpopThumbprint, StringComparison.Ordinal))
        {
            return (null, null, Invalid("subject_token is DPoP-bound: send a DPoP proof signed with its key"));
        }

        if (subject.Confirmation is { Method: ProofOfPossession.Methods.X509 })
        {
            return (null, null, Invalid("subject_token is bound to an X.509 certificate, which this endpoint does not accept as proof"));
        }

        if (!TokenExchangeRequestRules.HasActor(request))
        {
            return (subject, null, null);
        }

        var actorResult = await validator.ValidateAsync(request.ActorToken!, ownAudiences, ChainReadLimit).ConfigureAwait(false);
        if (!actorResult.IsValid)
        {
            await RaiseReuseAsync(actorResult, request, cancellationToken).ConfigureAwait(false);
            return (null, null, Invalid($"actor_token is not valid: {actorResult.Description}"));
        }

        var actor = actorResult.Token!;
        if (ActorTokenRules.Refusal(actor, request.ClientId, request.DpopThumbprint) is { } notTheActor)
        {
            // The actor token does not prove who acts: the ledger names the client that asked, never the token's subject.
            await records.RecordRefusalAsync(request, subject, null, notTheActor, cancellationToken).ConfigureAwait(false);
            return (null, null, Invalid(notTheActor));
        }

        return (subject, actor, null);
    }

    /// <summary>Step 4: the actor chain of the new token (the actor prepended), or why the actor may not act.</summary>
    private async Task<(ActorChain? Chain, TokenExchangeOutcome? Refusal)> DelegateAsync(
        TokenExchangeRequest request, ValidatedToken subject, ValidatedToken? actor, TokenExchangeOptions settings, CancellationToken cancellationToken)
    {
        if (actor is null)
        {
            if (!settings.AllowImpersonation)
            {
                return (null, Invalid("this server issues delegated tokens only: send an actor_token (impersonation is disabled)"));
            }

            if (DelegationPolicy.ImpersonationRefusal(subject, request.ClientId, settings.ImpersonatingClients) is { } impersonation)
            {
                await records.RecordRefusalAsync(request, subject, null, impersonation, cancellationToken).ConfigureAwait(false);
                return (null, Invalid(impersonation));
            }

            return (subject.Chain, null);
        }

        if (DelegationPolicy.Refusal(subject, actor, request.ClientId) is { } refusal)
        {
            await records.RecordRefusalAsync(request, subject, actor, refusal, cancellationToken).ConfigureAwait(false);
            return (null, Invalid(refusal));
        }

        var actorIdentity = new Actor(actor.Subject, string.Equals(actor.Issuer, subject.Issuer, StringComparison.Ordinal) ? null : actor.Issuer);
        var chain = subject.Chain.Prepend(actorIdentity);
        if (chain.Depth > settings.MaxChainDepth)
        {
            var depth = chain.Depth > ChainReadLimit ? $"more than {ChainReadLimit}" : chain.Depth.ToString(CultureInfo.InvariantCulture);
            var message = $"the delegation chain would be {depth} actors deep, over the maximum depth of {settings.MaxChainDepth}";
            await records.RecordRefusalAsync(request, subject, actor, message, cancellationToken).ConfigureAwait(false);
            return (null, Invalid(message));
        }

        return (chain, null);
    }

    /// <summary>Step 5: the requested scopes when within the subject token's, the subject token's when none were asked for.</summary>
    private async Task<(IReadOnlyList<string>? Scopes, TokenExchangeOutcome? Refusal)> NarrowScopeAsync(
        TokenExchangeRequest request, ValidatedToken subject, ValidatedToken? actor, IReadOnlyList<string>? requestedScopes, CancellationToken cancellationToken)
    {
        if (requestedScopes is null)
        {
            return (subject.Scopes, null);
        }

        var beyond = ScopeSet.Beyond(requestedScopes, subject.Scopes);
        if (beyond.Count > 0)
        {
            var message = $"the requested scope {ScopeSet.Format(beyond)} is beyond the subject token's scope '{ScopeSet.Format(subject.Scopes)}'";
            await records.RecordRefusalAsync(request, subject, actor, message, cancellationToken, Detection.Rules.ScopeWideningAttemptRule.RefusalKind).ConfigureAwait(false);
            return (null, TokenExchangeOutcome.Refused(OAuthErrorCodes.InvalidScope, message));
        }

        return (requestedScopes, null);
    }

    /// <summary>Step 7: signs the token, stores and records it, and counts a use of a Mandate subject token.</summary>
    private async Task<TokenExchangeOutcome> IssueAsync(TokenExchangeRequest request, ExchangeGrant grant, CancellationToken cancellationToken)
    {
        var subject = grant.Subject;
        var issuedType = TokenExchangeRequestRules.IssuedTokenType(request);
        var confirmation = request.DpopThumbprint is null ? null : new ProofOfPossession(ProofOfPossession.Methods.Dpop, request.DpopThumbprint);
        var issued = issuer.Issue(new CredentialDraft
        {
            Kind = CredentialKinds.Exchanged,
            Subject = subject.Subject,
            Audiences = grant.Targets,
            Scopes = grant.Scopes,
            IssuedAt = grant.IssuedAt,
            ExpiresAt = grant.ExpiresAt,
            Chain = grant.Chain,
            TaskId = subject.TaskId,
            Intent = grant.Intent,
            ParentJti = subject.IsMandateIssued ? subject.Jti : null,
            Lineage = Lineage(subject, grant.Actor),
            Confirmation = confirmation,
            ClientId = request.ClientId,
            // Never plain "JWT": an exchanged token must not pass for a JWT-SVID where SVIDs are accepted.
            TokenType = issuedType == TokenTypes.AccessToken ? "at+jwt" : "exchanged+jwt",
        });

        await records.RecordIssuedAsync(request, grant, issued.Record, issuedType, cancellationToken).ConfigureAwait(false);
        if (subject.IsMandateIssued && subject.Jti is not null)
        {
            uses.Record(subject.Jti, subject.Subject, subject.TaskId, time.GetUtcNow(), "token_exchange:" + (request.ClientId ?? "unknown"));
        }

        return TokenExchangeOutcome.Issued(new TokenExchangeResponse
        {
            AccessToken = issued.Token,
            IssuedTokenType = issuedType,
            TokenType = issuedType == TokenTypes.AccessToken ? (confirmation is null ? "Bearer" : "DPoP") : "N_A",
            ExpiresIn = (long)(issued.Record.ExpiresAt - grant.IssuedAt).TotalSeconds,
            Scope = grant.Scopes.Count == 0 ? null : ScopeSet.Format(grant.Scopes),
        });
    }

    /// <summary>
    /// Every Mandate token the new one derives from, root first: the subject token's lineage and jti, then the actor
    /// token's, so that revoking either revokes the new token.
    /// </summary>
    private static List<string> Lineage(ValidatedToken subject, ValidatedToken? actor)
    {
        var lineage = new List<string>();
        foreach (var token in actor is null ? [subject] : new[] { subject, actor })
        {
            if (token.IsMandateIssued && token.Jti is not null)
            {
                lineage.AddRange(token.Lineage);
                lineage.Add(token.Jti);
            }
        }

        return lineage.Distinct(StringComparer.Ordinal).ToList();
    }

    private async Task RaiseReuseAsync(TokenValidationResult result, TokenExchangeRequest request, CancellationToken cancellationToken)
    {
        if (result.GenuineButDead is { IsMandateIssued: true } dead)
        {
            await reuse.RaiseAsync(dead, result.Failure, "token_exchange", request.ClientId, request.RequestId, cancellationToken).ConfigureAwait(false);
        }
    }

    private static TokenExchangeOutcome Invalid(string description) => TokenExchangeRequestRules.Invalid(description);

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
