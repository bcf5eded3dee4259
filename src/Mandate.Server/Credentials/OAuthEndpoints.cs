using Mandate.Core.Credentials;
using Mandate.Core.Delegation;
using Mandate.Protocol.OAuth;
using Mandate.Server.Authentication;
using Mandate.Server.Tasks;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Credentials;

/// <summary>
/// <c>/oauth2/token</c> (RFC 8693 token exchange), <c>/oauth2/introspect</c> (RFC 7662) and <c>/oauth2/revoke</c>
/// (RFC 7009). Errors are RFC 6749 §5.2 JSON, and every answer carries <c>Cache-Control: no-store</c>.
/// </summary>
internal static class OAuthEndpoints
{
    /// <summary>Parameters that must not appear more than once (RFC 6749 §3.1); only resource and audience repeat.</summary>
    private static readonly string[] SingleValued =
    [
        "grant_type", "subject_token", "subject_token_type", "actor_token", "actor_token_type", "requested_token_type", "scope",
        "client_assertion", "client_assertion_type", "client_id", "token", "token_type_hint",
    ];

    public static IEndpointRouteBuilder MapOAuthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/oauth2/token", TokenAsync).AllowAnonymous().DisableAntiforgery();
        app.MapPost("/oauth2/revoke", RevokeAsync).AllowAnonymous().DisableAntiforgery();
        app.MapPost("/oauth2/introspect", IntrospectAsync).RequireAuthorization(TaskAuthorization.AdminOrWorkload).DisableAntiforgery();
        return app;
    }

    private static async Task<IResult> TokenAsync(
        HttpContext context,
        TokenExchangeService exchange,
        TokenAssertionValidator assertions,
        DpopProofChecker dpop,
        IOptionsMonitor<TokenExchangeOptions> options,
        CancellationToken cancellationToken)
    {
        var (form, formError) = await ReadFormAsync(context, cancellationToken);
        if (formError is not null)
        {
            return formError;
        }

        var client = await OAuthClientAuthentication.AuthenticateAsync(context, form!, assertions, options);
        if (client.Error is not null)
        {
            return ClientError(client);
        }

        string? thumbprint = null;
        if (context.Request.Headers["DPoP"] is { Count: > 0 } proofs)
        {
            if (proofs.Count > 1)
            {
                return Error("invalid_dpop_proof", "send exactly one DPoP header");
            }

            var (key, error) = await dpop.CheckAsync(proofs[0]!, context.Request.Method, TaskEndpoints.RequestUri(context.Request), accessToken: null);
            if (error is not null)
            {
                return Error("invalid_dpop_proof", error);
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
                Resources = [.. form["resource"].Select(v => v ?? string.Empty)],
                Audiences = [.. form["audience"].Select(v => v ?? string.Empty)],
                ClientId = client.ClientId,
                DpopThumbprint = thumbprint,
                RequestId = context.TraceIdentifier,
            },
            cancellationToken);
        NoStore(context);
        return outcome.Response is { } response
            ? TypedResults.Json(response, OAuthJsonContext.Default.TokenExchangeResponse)
            : TypedResults.Json(outcome.Error!, OAuthJsonContext.Default.OAuthError, statusCode: outcome.Status);
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

        var response = await introspection.IntrospectAsync(token);
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
        var (form, formError) = await ReadFormAsync(context, cancellationToken);
        if (formError is not null)
        {
            return formError;
        }

        var client = await OAuthClientAuthentication.AuthenticateAsync(context, form!, assertions, options);
        if (client.Error is not null)
        {
            return ClientError(client);
        }

        if (Single(form!, "token") is not { Length: > 0 } token)
        {
            return Error(OAuthErrorCodes.InvalidRequest, "token is required");
        }

        var result = await revocation.RevokeAsync(token, client.ClientId, client.IsAdmin, context.TraceIdentifier, cancellationToken);
        NoStore(context);
        return result == PresentedTokenRevocation.NotYours
            ? Error(OAuthErrorCodes.UnauthorizedClient, "the token was not issued to this client, nor is it acting with it")
            : TypedResults.Ok();
    }

    private static async Task<(IFormCollection? Form, IResult? Error)> ReadFormAsync(HttpContext context, CancellationToken cancellationToken)
    {
        if (!context.Request.HasFormContentType
            || !context.Request.ContentType!.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return (null, Error(OAuthErrorCodes.InvalidRequest, "send the parameters as application/x-www-form-urlencoded"));
        }

        IFormCollection form;
        try
        {
            form = await context.Request.ReadFormAsync(cancellationToken);
        }
        catch (InvalidDataException ex)
        {
            return (null, Error(OAuthErrorCodes.InvalidRequest, "the form body is not valid: " + ex.Message));
        }

        foreach (var name in SingleValued)
        {
            if (form[name].Count > 1)
            {
                return (null, Error(OAuthErrorCodes.InvalidRequest, $"{name} must not be sent more than once"));
            }
        }

        return (form, null);
    }

    private static string? Single(IFormCollection form, string name) => form[name].Count == 1 ? form[name].ToString() : null;

    private static IResult ClientError(OAuthClient client)
    {
        if (client.ErrorCode != OAuthErrorCodes.InvalidClient)
        {
            return Error(client.ErrorCode!, client.Error!);
        }

        return new ClientChallengeResult(client.Error!);
    }

    private static IResult Error(string code, string description, int status = StatusCodes.Status400BadRequest) =>
        new NoStoreResult(TypedResults.Json(new OAuthError { Error = code, ErrorDescription = description }, OAuthJsonContext.Default.OAuthError, statusCode: status));

    private static void NoStore(HttpContext context)
    {
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Pragma = "no-cache";
    }

    /// <summary>Writes an OAuth error with <c>Cache-Control: no-store</c>.</summary>
    private sealed class NoStoreResult(IResult inner) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            NoStore(httpContext);
            return inner.ExecuteAsync(httpContext);
        }
    }

    /// <summary>RFC 6749 §5.2: a failed client authentication is 401 <c>invalid_client</c> with a challenge.</summary>
    private sealed class ClientChallengeResult(string description) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            NoStore(httpContext);
            httpContext.Response.Headers.WWWAuthenticate = "Basic realm=\"mandate\", Bearer realm=\"mandate\"";
            return TypedResults.Json(new OAuthError { Error = OAuthErrorCodes.InvalidClient, ErrorDescription = description }, OAuthJsonContext.Default.OAuthError, statusCode: StatusCodes.Status401Unauthorized)
                .ExecuteAsync(httpContext);
        }
    }
}
