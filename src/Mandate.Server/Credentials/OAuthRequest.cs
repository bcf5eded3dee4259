using Mandate.Core.Credentials;
using Mandate.Core.Delegation;
using Mandate.Protocol.OAuth;
using Mandate.Server.Authentication;
using Mandate.Server.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Credentials;

/// <summary>
/// What the OAuth endpoints (token exchange, introspection, revocation) share: the form body (RFC 6749 §3.1 single
/// parameters), client authentication, and RFC 6749 §5.2 JSON errors that carry <c>Cache-Control: no-store</c>.
/// </summary>
internal static class OAuthRequest
{
    /// <summary>Parameters that must not appear more than once (RFC 6749 §3.1); only resource and audience repeat.</summary>
    private static readonly string[] SingleValued =
    [
        "grant_type", "subject_token", "subject_token_type", "actor_token", "actor_token_type", "requested_token_type", "scope",
        "client_assertion", "client_assertion_type", "client_id", "token", "token_type_hint", "intent",
    ];

    /// <summary>Reads the form and authenticates the client that sent it (token exchange, revocation).</summary>
    public static async Task<(IFormCollection? Form, OAuthClient? Client, IResult? Error)> ReadFromClientAsync(
        HttpContext context,
        TokenAssertionValidator assertions,
        IOptionsMonitor<TokenExchangeOptions> options,
        CancellationToken cancellationToken)
    {
        var (form, formError) = await ReadFormAsync(context, cancellationToken);
        if (formError is not null)
        {
            return (null, null, formError);
        }

        var client = await OAuthClientAuthentication.AuthenticateAsync(context, form!, assertions, options);
        return client.Error is not null ? (null, null, ClientError(client)) : (form, client, null);
    }

    public static async Task<(IFormCollection? Form, IResult? Error)> ReadFormAsync(HttpContext context, CancellationToken cancellationToken)
    {
        if (!context.Request.HasFormContentType
            || !context.Request.ContentType!.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return (null, Error(OAuthErrorCodes.InvalidRequest, "send the parameters as application/x-www-form-urlencoded"));
        }

        if (context.Request.ContentLength > BodyLimits.OAuthForm)
        {
            return (null, TooLarge());
        }

        // Held on the stream, so a chunked body without Content-Length is cut at the limit too.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = BodyLimits.OAuthForm;
        }

        context.Request.Body = new BoundedReadStream(context.Request.Body, BodyLimits.OAuthForm);
        IFormCollection form;
        try
        {
            form = await context.Request.ReadFormAsync(cancellationToken);
        }
        catch (InvalidDataException ex)
        {
            return (null, Error(OAuthErrorCodes.InvalidRequest, "the form body is not valid: " + ex.Message));
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge());
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

    private static IResult TooLarge() =>
        Error(OAuthErrorCodes.InvalidRequest, $"the form body is larger than {BodyLimits.OAuthForm} bytes", StatusCodes.Status413PayloadTooLarge);

    public static string? Single(IFormCollection form, string name) => form[name].Count == 1 ? form[name].ToString() : null;

    public static IResult Error(string code, string description, int status = StatusCodes.Status400BadRequest) =>
        new NoStoreResult(TypedResults.Json(new OAuthError { Error = code, ErrorDescription = description }, OAuthJsonContext.Default.OAuthError, statusCode: status));

    public static void NoStore(HttpContext context)
    {
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Pragma = "no-cache";
    }

    private static IResult ClientError(OAuthClient client)
    {
        if (client.ErrorCode != OAuthErrorCodes.InvalidClient)
        {
            return Error(client.ErrorCode!, client.Error!);
        }

        return new ClientChallengeResult(client.Error!);
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
            // Both methods a client may authenticate with here; the Bearer one carries the RFC 6750 error and metadata.
            httpContext.Response.Headers.WWWAuthenticate = "Basic realm=\"mandate\", " + BearerChallenge.ForClientAuthentication(httpContext, "mandate");
            return TypedResults.Json(new OAuthError { Error = OAuthErrorCodes.InvalidClient, ErrorDescription = description }, OAuthJsonContext.Default.OAuthError, statusCode: StatusCodes.Status401Unauthorized)
                .ExecuteAsync(httpContext);
        }
    }
}
