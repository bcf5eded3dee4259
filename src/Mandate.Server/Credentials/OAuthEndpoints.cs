using Mandate.Core.Credentials;
using Mandate.Core.Delegation;
using Mandate.Protocol.OAuth;
using Mandate.Server.Authentication;
using Mandate.Server.Hosting;
using Microsoft.Extensions.Options;
using static Mandate.Server.Credentials.OAuthRequest;

namespace Mandate.Server.Credentials;

/// <summary>
/// <c>/oauth2/introspect</c> (RFC 7662) and <c>/oauth2/revoke</c> (RFC 7009). Errors are RFC 6749 §5.2 JSON, and every
/// answer carries <c>Cache-Control: no-store</c>. Token exchange is <see cref="Delegation.TokenExchangeEndpoints"/>.
/// </summary>
internal static class OAuthEndpoints
{
    public static IEndpointRouteBuilder MapOAuthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/oauth2/revoke", RevokeAsync).AllowAnonymous().DisableAntiforgery();
        app.MapPost("/oauth2/introspect", IntrospectAsync).RequireAuthorization(TaskAuthorization.AdminOrWorkload).DisableAntiforgery().RequireFreshState();
        return app;
    }

    private static async Task<IResult> IntrospectAsync(HttpContext context, TokenIntrospection introspection, CancellationToken cancellationToken)
    {
        var (form, formError) = await ReadFormAsync(context, cancellationToken);
        if (formError is not null)
        {
            return formError;
        }

        if (Single(form!, "token") is not { Length: > 0 } token)
        {
            return Error(OAuthErrorCodes.InvalidRequest, "token is required");
        }

        var response = await introspection.IntrospectAsync(token, TaskAuthorization.Caller(context.User), TaskAuthorization.IsAdmin(context.User), cancellationToken);
        NoStore(context);
        return TypedResults.Json(response, OAuthJsonContext.Default.IntrospectionResponse);
    }

    private static async Task<IResult> RevokeAsync(
        HttpContext context,
        TokenIntrospection revocation,
        TokenAssertionValidator assertions,
        IOptionsMonitor<TokenExchangeOptions> options,
        CancellationToken cancellationToken)
    {
        var (form, client, error) = await ReadFromClientAsync(context, assertions, options, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        if (Single(form!, "token") is not { Length: > 0 } token)
        {
            return Error(OAuthErrorCodes.InvalidRequest, "token is required");
        }

        // RFC 7009 §2.2: one answer whatever the token (someone else's is left alone, silently), so that revocation
        // is not an oracle on which tokens exist or whose they are.
        await revocation.RevokeAsync(token, client!.ClientId, client.IsAdmin, context.TraceIdentifier, cancellationToken);
        NoStore(context);
        return TypedResults.Ok();
    }
}
