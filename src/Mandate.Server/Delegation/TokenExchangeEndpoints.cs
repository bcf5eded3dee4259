using Mandate.Core.Credentials;
using Mandate.Core.Delegation;
using Mandate.Protocol.OAuth;
using Mandate.Server.Hosting;
using Mandate.Server.Http;
using Mandate.Server.Tasks;
using Microsoft.Extensions.Options;
using static Mandate.Server.Credentials.OAuthRequest;

namespace Mandate.Server.Delegation;

/// <summary>
/// <c>/oauth2/token</c>: RFC 8693 token exchange (delegation chains, narrowing). Errors are RFC 6749 §5.2 JSON, and
/// every answer carries <c>Cache-Control: no-store</c>.
/// </summary>
internal static class TokenExchangeEndpoints
{
    public static IEndpointRouteBuilder MapTokenExchangeEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/oauth2/token", TokenAsync).AllowAnonymous().DisableAntiforgery().DisallowCaching().RequireFreshState();
        return app;
    }

    private static async Task<IResult> TokenAsync(
        HttpContext context,
        TokenExchangeService exchange,
        TokenAssertionValidator assertions,
        DpopProofChecker dpop,
        PublicBaseUrl publicUrl,
        IOptionsMonitor<TokenExchangeOptions> options,
        CancellationToken cancellationToken)
    {
        var (form, client, error) = await ReadFromClientAsync(context, assertions, options, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        string? thumbprint = null;
        if (context.Request.Headers["DPoP"] is { Count: > 0 } proofs)
        {
            if (proofs.Count > 1)
            {
                return Error("invalid_dpop_proof", "send exactly one DPoP header");
            }

            var (key, proofError) = await dpop.CheckAsync(proofs[0]!, context.Request.Method, publicUrl.RequestUri(context.Request), accessToken: null);
            if (proofError is not null)
            {
                return Error("invalid_dpop_proof", proofError);
            }

            thumbprint = key;
        }

        var outcome = await exchange.ExchangeAsync(
            new TokenExchangeRequest
            {
                GrantType = Single(form!, "grant_type"),
                SubjectToken = Single(form!, "subject_token"),
                SubjectTokenType = Single(form!, "subject_token_type"),
                ActorToken = Single(form!, "actor_token"),
                ActorTokenType = Single(form!, "actor_token_type"),
                RequestedTokenType = Single(form!, "requested_token_type"),
                Scope = form!.ContainsKey("scope") ? form["scope"].ToString() : null,
                Intent = Single(form, "intent"),
                Resources = [.. form["resource"].Select(v => v ?? string.Empty)],
                Audiences = [.. form["audience"].Select(v => v ?? string.Empty)],
                ClientId = client!.ClientId,
                DpopThumbprint = thumbprint,
                RequestId = context.TraceIdentifier,
            },
            cancellationToken);
        NoStore(context);
        return outcome.Response is { } response
            ? TypedResults.Json(response, OAuthJsonContext.Default.TokenExchangeResponse)
            : TypedResults.Json(outcome.Error!, OAuthJsonContext.Default.OAuthError, statusCode: outcome.Status);
    }
}
