using Mandate.Core.Identity.Attestation;
using Mandate.Core.Identity.Keys;
using Mandate.Core.Identity.Svid;
using Mandate.Core.Operators;
using Mandate.Server.Authentication;
using Mandate.Server.Operators;
using Mandate.Server.Http;

namespace Mandate.Server.Identity;

/// <summary>
/// Attestation: a workload exchanges evidence (a platform OIDC token, or a one-time join token) for a JWT-SVID whose
/// audience is Mandate, which then authenticates it to <c>/v1/svid/*</c>.
/// </summary>
internal static class IdentityAttestationEndpoints
{
    public static IEndpointRouteBuilder MapIdentityAttestationEndpoints(this IEndpointRouteBuilder app)
    {
        // Anonymous, so limited per client network (AttestationRateLimitOptions); the name is the rate-limit partition
        // and the audited action.
        app.MapPost("/v1/attest/oidc", AttestOidcAsync).AllowAnonymous().WithName("attest_oidc").RequireRateLimiting(AttestationRateLimiting.PolicyName).DisallowCaching();
        app.MapPost("/v1/attest/join", RedeemJoinTokenAsync).AllowAnonymous().WithName("attest_join").RequireRateLimiting(AttestationRateLimiting.PolicyName).DisallowCaching();
        app.MapPost("/v1/attest/join-tokens", CreateJoinTokenAsync).RequireOperatorRole(OperatorRole.Admin).DisallowCaching();
        return app;
    }

    private static async Task<IResult> AttestOidcAsync(HttpContext context, IdentityRefusals refusals, OidcAttestor attestor, SvidIssuance issuance, IKeyRing keyRing, CancellationToken cancellationToken)
    {
        var (request, bodyProblem) = await JsonBody.ReadAsync<AttestationRequest>(context, BodyLimits.Request, JsonBodyProblems.Framework, required: false);
        if (bodyProblem is not null)
        {
            return bodyProblem;
        }

        var attestation = await attestor.AttestAsync(request?.Token, context.TraceIdentifier, cancellationToken);
        if (attestation.Error is { } error)
        {
            return await refusals.RejectAsync(context, error, "attest_oidc", attestation.Issuer, cancellationToken: cancellationToken);
        }

        var id = attestation.SpiffeId!;
        var result = await issuance.IssueJwtAsync(id, [keyRing.Issuer], null, id.Value, "oidc:" + attestation.Issuer, context.TraceIdentifier, cancellationToken);
        if (result.Error is { } issueError)
        {
            return await refusals.RejectAsync(context, issueError, "attest_oidc", id.Value, cancellationToken: cancellationToken);
        }

        return TypedResults.Ok(JwtSvidResponse.From(result.Svid!));
    }

    private static async Task<IResult> RedeemJoinTokenAsync(HttpContext context, IdentityRefusals refusals, JoinTokens joinTokens, SvidIssuance issuance, IKeyRing keyRing, CancellationToken cancellationToken)
    {
        var (request, bodyProblem) = await JsonBody.ReadAsync<AttestationRequest>(context, BodyLimits.Request, JsonBodyProblems.Framework, required: false);
        if (bodyProblem is not null)
        {
            return bodyProblem;
        }

        var (id, error) = await joinTokens.RedeemAsync(request?.Token, context.TraceIdentifier, cancellationToken);
        if (error is not null)
        {
            return await refusals.RejectAsync(context, error, "attest_join", null, cancellationToken: cancellationToken);
        }

        var result = await issuance.IssueJwtAsync(id!, [keyRing.Issuer], null, id!.Value, "join-token", context.TraceIdentifier, cancellationToken);
        if (result.Error is { } issueError)
        {
            return await refusals.RejectAsync(context, issueError, "attest_join", id.Value, cancellationToken: cancellationToken);
        }

        return TypedResults.Ok(JwtSvidResponse.From(result.Svid!));
    }

    private static async Task<IResult> CreateJoinTokenAsync(HttpContext context, IdentityRefusals refusals, JoinTokens joinTokens, CancellationToken cancellationToken)
    {
        var (request, bodyProblem) = await JsonBody.ReadAsync<JoinTokenRequest>(context, BodyLimits.Request, JsonBodyProblems.Framework, required: false);
        if (bodyProblem is not null)
        {
            return bodyProblem;
        }

        TimeSpan? ttl = request?.TtlSeconds is { } seconds ? TimeSpan.FromSeconds(Math.Clamp(seconds, -1, int.MaxValue)) : null;
        var (token, error) = await joinTokens.CreateAsync(request?.SpiffeId, ttl, context.OperatorActor(), context.TraceIdentifier, cancellationToken);
        if (error is not null)
        {
            return await refusals.RejectAsync(context, error, "create_join_token", request?.SpiffeId, cancellationToken: cancellationToken);
        }

        return TypedResults.Ok(new { token = token!.Token, spiffe_id = token.SpiffeId, expires_at = token.ExpiresAt, token_id = token.TokenId });
    }
}

/// <summary><c>POST /v1/attest/oidc</c> and <c>/v1/attest/join</c> body: the evidence token.</summary>
internal sealed record AttestationRequest(string? Token);
