using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mandate.Core.Identity.Attestation;
using Mandate.Core.Operators;
using Mandate.Server.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Console;

/// <summary>
/// OIDC sign-in to the console: the authorization code flow with PKCE (S256). <c>GET /console/oidc/start</c> (a link,
/// not a form: the console's CSP has <c>form-action 'self'</c>, which would stop a form post's redirect to the
/// provider) binds a fresh <c>state</c>, <c>nonce</c> and code verifier to a short-lived, HTTP-only, SameSite=Lax,
/// data-protected cookie (Lax, since the provider's redirect back is a cross-site navigation) and sends the browser to
/// the provider. <c>GET /console/oidc/callback</c> checks the state against the cookie (which it always deletes: one
/// attempt per cookie), exchanges the code at the token endpoint with the verifier (and the client secret, when one
/// is configured), and hands the ID token to <see cref="OperatorSignIn"/>, the validator of
/// <c>POST /v1/operators/sign-in</c>, with the nonce it must carry. The session token it opens becomes the console
/// session's ticket, so disabling the operator or revoking the session ends the console session on the next page.
/// Every refusal is audited and counted like a refused sign-in; the page says only which of a few fixed things went
/// wrong, never what the provider sent.
/// </summary>
internal sealed class ConsoleOidc(
    OperatorSignIn signIn,
    OidcHttpClient http,
    ConsoleSession session,
    AuthenticationFailureAudit failures,
    AuthenticationFailureLimit limit,
    IDataProtectionProvider protection,
    IOptions<OperatorOptions> options)
{
    public const string StartPath = ConsolePaths.Root + "/oidc/start";
    public const string CallbackPath = ConsolePaths.Root + "/oidc/callback";
    public const string CookieName = ConsoleSession.CookieName + "_oidc";

    /// <summary>How long a person has at the provider before the attempt's cookie runs out.</summary>
    private static readonly TimeSpan AttemptLifetime = TimeSpan.FromMinutes(10);
    private const int MaxTokenResponseBytes = 256 * 1024;

    private readonly ITimeLimitedDataProtector protector = protection.CreateProtector("Mandate.Console.Oidc.Attempt").ToTimeLimitedDataProtector();

    private OperatorOidcOptions Settings => options.Value.Oidc;

    public bool Enabled => Settings.Enabled;

    public string DisplayName => Settings.DisplayName;

    /// <summary>Why a console sign-in through the provider failed, as the sign-in page says it (<c>?oidc=</c>).</summary>
    public static string? Message(string? code) => code switch
    {
        "refused" => "The sign-in with your identity provider was not accepted. Try again, or ask an admin whether your account is set up.",
        "denied" => "Your identity provider did not sign you in.",
        "unavailable" => "The identity provider could not be reached. Try again later.",
        "limited" => "Too many failed sign-ins from this network. Wait a minute and try again.",
        _ => null,
    };

    public static void Map(WebApplication app)
    {
        app.MapGet(StartPath, (HttpContext c, ConsoleOidc oidc) => oidc.StartAsync(c)).AllowAnonymous();
        app.MapGet(CallbackPath, (HttpContext c, ConsoleOidc oidc) => oidc.CallbackAsync(c)).AllowAnonymous();
    }

    private async Task<IResult> StartAsync(HttpContext context)
    {
        if (!Settings.Enabled)
        {
            return Results.NotFound();
        }

        if (limit.Exhausted(context) is not null)
        {
            return Back("limited");
        }

        var (endpoints, _) = await signIn.EndpointsAsync(context.RequestAborted);
        if (endpoints?.AuthorizationEndpoint is not { } authorize)
        {
            return Back("unavailable");
        }

        var attempt = new Attempt(Random(), Random(), Random(), RedirectUri(context));
        context.Response.Cookies.Append(CookieName, protector.Protect(attempt.Serialize(), AttemptLifetime), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Secure = context.Request.IsHttps,
            Path = ConsolePaths.Root + "/oidc",
            MaxAge = AttemptLifetime,
            IsEssential = true,
        });

        var scope = Settings.Scope.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var query = new Dictionary<string, string?>
        {
            ["response_type"] = "code",
            ["client_id"] = Settings.EffectiveClientId,
            ["redirect_uri"] = attempt.RedirectUri,
            ["scope"] = string.Join(' ', scope.Contains("openid", StringComparer.Ordinal) ? scope : ["openid", .. scope]),
            ["state"] = attempt.State,
            ["nonce"] = attempt.Nonce,
            ["code_challenge"] = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(attempt.Verifier))),
            ["code_challenge_method"] = "S256",
        };
        return Results.Redirect(QueryHelpers.AddQueryString(authorize, query));
    }

    private async Task<IResult> CallbackAsync(HttpContext context)
    {
        if (!Settings.Enabled)
        {
            return Results.NotFound();
        }

        // One attempt per cookie, whatever happens next.
        var cookie = context.Request.Cookies[CookieName];
        context.Response.Cookies.Delete(CookieName, new CookieOptions { Path = ConsolePaths.Root + "/oidc", Secure = context.Request.IsHttps, HttpOnly = true, SameSite = SameSiteMode.Lax });

        if (limit.Exhausted(context) is not null)
        {
            return Back("limited");
        }

        var query = context.Request.Query;
        if (!string.IsNullOrEmpty(query["error"]))
        {
            // The provider's error code is its input: recorded only when it is a plain code, never shown.
            var error = query["error"].ToString();
            var code = error.Length <= 64 && error.All(c => c is (>= 'a' and <= 'z') or '_') ? error : "(not a plain error code)";
            await failures.RecordAsync(context, "operator.authentication_failed", "oidc console sign-in: the provider answered error " + code);
            return Back("denied");
        }

        var attempt = Attempt.Read(protector, cookie);
        var state = query["state"].ToString();
        if (attempt is null || string.IsNullOrEmpty(state)
            || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(state), Encoding.UTF8.GetBytes(attempt.State)))
        {
            return await RefuseAsync(context, attempt is null
                ? "oidc console sign-in: no valid sign-in attempt cookie (missing, expired, or tampered with)"
                : "oidc console sign-in: the state does not match this browser's sign-in attempt");
        }

        var authorizationCode = query["code"].ToString();
        if (string.IsNullOrEmpty(authorizationCode) || authorizationCode.Length > 4096)
        {
            return await RefuseAsync(context, "oidc console sign-in: the callback carries no code");
        }

        var (endpoints, _) = await signIn.EndpointsAsync(context.RequestAborted);
        if (endpoints?.TokenEndpoint is not { } tokenEndpoint)
        {
            return Back("unavailable");
        }

        var (idToken, problem) = await ExchangeAsync(tokenEndpoint, authorizationCode, attempt, context.RequestAborted);
        if (idToken is null)
        {
            return await RefuseAsync(context, "oidc console sign-in: " + problem);
        }

        var result = await signIn.SignInAsync(idToken, context.TraceIdentifier, attempt.Nonce, context.RequestAborted);
        if (result.Error is { } refusal)
        {
            return refusal.Code == OperatorErrorCodes.SignInRefused
                ? await RefuseAsync(context, "oidc console sign-in: " + refusal.Message)
                : Back("unavailable");
        }

        await session.SignInWithOidcAsync(context, result.Value!);

        // Not a redirect: the session cookie is SameSite=Strict, and a redirect ending a chain that passed through the
        // provider is a cross-site navigation, on which Chromium would not send it. This page (same-site) moves on.
        return Results.Content(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"0;url=/console\">"
            + "<title>Signed in · Mandate console</title><link rel=\"stylesheet\" href=\"/console/console.css\"></head>"
            + "<body><main id=\"main\" class=\"signin\"><h1>Signed in</h1><p><a href=\"/console\">Continue to the console</a></p></main></body></html>",
            "text/html; charset=utf-8");
    }

    /// <summary>Exchanges the code at the token endpoint (PKCE verifier; client secret with HTTP Basic when configured); the ID token, or why not.</summary>
    private async Task<(string? IdToken, string? Problem)> ExchangeAsync(string tokenEndpoint, string code, Attempt attempt, CancellationToken cancellationToken)
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = attempt.RedirectUri,
            ["code_verifier"] = attempt.Verifier,
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(tokenEndpoint));
        if (ClientSecret() is { } secret)
        {
            // RFC 6749 2.3.1: each part form-encoded, then Basic.
            var pair = Uri.EscapeDataString(Settings.EffectiveClientId) + ":" + Uri.EscapeDataString(secret);
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)));
        }
        else
        {
            form["client_id"] = Settings.EffectiveClientId;
        }

        request.Content = new FormUrlEncodedContent(form);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Settings.FetchTimeout);
        try
        {
            using var response = await http.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            if (!response.IsSuccessStatusCode)
            {
                return (null, $"the token endpoint answered {(int)response.StatusCode}");
            }

            if (response.Content.Headers.ContentLength is > MaxTokenResponseBytes)
            {
                return (null, "the token endpoint's answer is too large");
            }

            var body = await response.Content.ReadAsByteArrayAsync(deadline.Token);
            if (body.Length > MaxTokenResponseBytes)
            {
                return (null, "the token endpoint's answer is too large");
            }

            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("id_token", out var idToken) && idToken.ValueKind == JsonValueKind.String
                ? (idToken.GetString(), null)
                : (null, "the token endpoint's answer has no id_token");
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or JsonException or IOException)
        {
            return (null, ex is JsonException ? "the token endpoint's answer is not JSON" : "the token endpoint could not be reached");
        }
    }

    private string? ClientSecret()
    {
        if (!string.IsNullOrWhiteSpace(Settings.ClientSecret))
        {
            return Settings.ClientSecret.Trim();
        }

        if (Settings.ClientSecretFile is { Length: > 0 } file)
        {
            using var reader = new StreamReader(file);
            return reader.ReadLine()?.Trim() is { Length: > 0 } line ? line : null;
        }

        return null;
    }

    private string RedirectUri(HttpContext context) =>
        string.IsNullOrWhiteSpace(Settings.RedirectUri)
            ? $"{context.Request.Scheme}://{context.Request.Host.ToUriComponent()}{CallbackPath}"
            : Settings.RedirectUri;

    private async Task<IResult> RefuseAsync(HttpContext context, string reason)
    {
        await failures.RecordAsync(context, "operator.authentication_failed", reason);
        return Back("refused");
    }

    private static IResult Back(string code) => Results.Redirect(ConsolePaths.Root + "?oidc=" + code);

    private static string Random() => Base64Url(RandomNumberGenerator.GetBytes(32));

    private static string Base64Url(byte[] bytes) => WebEncoders.Base64UrlEncode(bytes);

    /// <summary>One sign-in attempt, as its cookie carries it (protected: encrypted, signed, time-limited).</summary>
    private sealed record Attempt(string State, string Nonce, string Verifier, string RedirectUri)
    {
        public string Serialize() => string.Join('\n', State, Nonce, Verifier, RedirectUri);

        public static Attempt? Read(ITimeLimitedDataProtector protector, string? cookie)
        {
            if (string.IsNullOrEmpty(cookie))
            {
                return null;
            }

            try
            {
                var parts = protector.Unprotect(cookie, out _).Split('\n');
                return parts.Length == 4 ? new Attempt(parts[0], parts[1], parts[2], parts[3]) : null;
            }
            catch (CryptographicException)
            {
                return null;
            }
        }
    }
}
