using Mandate.Protocol.OAuth;

namespace Mandate.Core.Credentials;

/// <summary>RFC 7662 introspection and RFC 7009 revocation of a presented Mandate token.</summary>
internal sealed class TokenIntrospection
{
    private const int ChainReadLimit = 64;
    private readonly TokenValidator validator;
    private readonly RevocationService revocation;
    private readonly TokenReuseDetector? reuse;

    internal TokenIntrospection(TokenValidator validator, RevocationService revocation, TokenReuseDetector? reuse = null)
    {
        this.validator = validator;
        this.revocation = revocation;
        this.reuse = reuse;
    }

    /// <summary>
    /// Active only for a Mandate token that verifies now and is not revoked (nor any token it derives from), and — unless
    /// an admin asks — only to a caller that is its subject, one of its actors, its client or one of its audiences:
    /// anyone else learns nothing about another party's token (<c>active: false</c>, RFC 7662 §2.2).
    /// </summary>
    public async Task<IntrospectionResponse> IntrospectAsync(string token, string? caller, bool isAdmin, CancellationToken cancellationToken = default)
    {
        var result = await validator.ValidateAsync(token, acceptedAudiences: null, ChainReadLimit).ConfigureAwait(false);
        if (!result.IsValid && result.GenuineButDead is { IsMandateIssued: true } dead && reuse is not null)
        {
            // A PEP asking about a dead credential means someone presented it to that PEP: the reuse is recorded.
            await reuse.RaiseAsync(dead, result.Failure, "introspection", caller, null, cancellationToken).ConfigureAwait(false);
        }

        if (!result.IsValid || result.Token is not { IsMandateIssued: true, Jti: not null } claims)
        {
            return new IntrospectionResponse { Active = false };
        }

        if (!isAdmin && !IsParty(claims, caller))
        {
            return new IntrospectionResponse { Active = false };
        }

        var payload = claims.Payload;
        return new IntrospectionResponse
        {
            Active = true,
            Scope = claims.Scopes.Count == 0 ? null : string.Join(' ', claims.Scopes),
            ClientId = claims.ClientId,
            TokenType = claims.Confirmation is { Method: ProofOfPossession.Methods.Dpop } ? "DPoP" : "Bearer",
            Exp = claims.ExpiresAt.ToUnixTimeSeconds(),
            Iat = claims.IssuedAt?.ToUnixTimeSeconds(),
            Nbf = claims.NotBefore?.ToUnixTimeSeconds(),
            Sub = claims.Subject,
            Aud = payload.TryGetProperty("aud", out var aud) ? aud.Clone() : null,
            Iss = claims.Issuer,
            Jti = claims.Jti,
            Act = payload.TryGetProperty("act", out var act) ? act.Clone() : null,
            Cnf = payload.TryGetProperty("cnf", out var cnf) ? cnf.Clone() : null,
            TaskId = claims.TaskId,
            CredentialKind = claims.Kind,
        };
    }

    private static bool IsParty(ValidatedToken token, string? caller) =>
        !string.IsNullOrEmpty(caller)
        && (caller == token.Subject
            || caller == token.ClientId
            || token.Chain.Contains(caller)
            || token.Audiences.Contains(caller, StringComparer.Ordinal));

    /// <summary>
    /// Revokes a presented Mandate token (and what was derived from it). The caller must be an admin, or the token's
    /// subject, current actor or client. Unknown, foreign or already dead tokens are a no-op (RFC 7009 §2.2).
    /// </summary>
    public async Task<PresentedTokenRevocation> RevokeAsync(string token, string? caller, bool isAdmin, string? requestId, CancellationToken cancellationToken)
    {
        var result = await validator.ValidateAsync(token, acceptedAudiences: null, ChainReadLimit).ConfigureAwait(false);
        var claims = result.Token ?? result.GenuineButDead;
        if (claims is not { IsMandateIssued: true, Jti: not null })
        {
            return PresentedTokenRevocation.NothingToRevoke;
        }

        var allowed = isAdmin
            || (caller is not null && (caller == claims.Subject || caller == claims.Chain.Current?.Subject || caller == claims.ClientId));
        if (!allowed)
        {
            return PresentedTokenRevocation.NotYours;
        }

        var outcome = await revocation.RevokePresentedAsync(claims, "revoked by its holder (RFC 7009)", caller ?? "admin", requestId, cancellationToken).ConfigureAwait(false);
        return outcome is null ? PresentedTokenRevocation.NothingToRevoke : PresentedTokenRevocation.Revoked;
    }
}
