using System.Security.Claims;
using Mandate.Core.Admin;
using Mandate.Core.Operators;
using Mandate.Server.Authentication;
using Mandate.Server.Operators;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Console;

/// <summary>
/// Console sign-in: the person types an operator token or the admin token, checked exactly as the admin API checks a
/// bearer token; a refusal is audited and counted against the same authentication-failure limit. The cookie then holds
/// a data-protected ticket naming the operator and the id of the token used (never the token), and every request
/// reads the operator and that token again from the store, so a disabled operator, a revoked or expired token or a
/// changed role takes effect at once.
/// </summary>
internal sealed class ConsoleSession(
    AdminTokens adminTokens,
    OperatorDirectory operators,
    AuthenticationFailureAudit failures,
    AuthenticationFailureLimit limit,
    TimeProvider time,
    IOptions<ConsoleOptions> options)
{
    public const string SchemeName = "MandateConsole";
    public const string CookieName = "mandate_console";
    private const string BootstrapClaim = "mandate:console_bootstrap";

    /// <summary>Marks a ticket opened through the OIDC provider: its token is that sign-in's session token.</summary>
    public const string OidcClaim = "mandate:console_oidc";

    /// <summary>Signs the person in with <paramref name="token"/>; returns the message to show when that fails.</summary>
    public async Task<string?> SignInAsync(HttpContext context, string? token)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (limit.Exhausted(context) is not null)
        {
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            return "Too many failed sign-ins from this network. Wait a minute and try again.";
        }

        token = token?.Trim();
        if (string.IsNullOrEmpty(token))
        {
            return "Enter an operator token or the admin token.";
        }

        ClaimsPrincipal principal;
        if (token.StartsWith(OperatorDirectory.TokenPrefix, StringComparison.Ordinal))
        {
            var result = await operators.AuthenticateAsync(token, context.RequestAborted);
            if (!result.Succeeded)
            {
                return await RefuseAsync(context, "operator.authentication_failed", result.Failure ?? "invalid operator token");
            }

            principal = Ticket([
                new Claim(ActingOperator.NameClaim, result.Operator!.Name),
                new Claim(ActingOperator.TokenIdClaim, result.Token!.Id),
            ]);
        }
        else if (await adminTokens.ValidateAsync(token, context.RequestAborted))
        {
            principal = Ticket([new Claim(BootstrapClaim, "true")]);
        }
        else
        {
            return await RefuseAsync(
                context,
                "admin.authentication_failed",
                adminTokens.Enabled
                    ? "the console token is neither an operator token nor the admin token"
                    : "the console token is not an operator token, and the bootstrap admin token is disabled (Mandate:Admin:BootstrapToken)");
        }

        var now = time.GetUtcNow();
        await context.SignInAsync(SchemeName, principal, new AuthenticationProperties
        {
            IssuedUtc = now,
            ExpiresUtc = now + options.Value.SessionLifetime,
            IsPersistent = false,
            AllowRefresh = false,
        });
        return null;
    }

    /// <summary>
    /// Opens a console session for an OIDC sign-in (<see cref="ConsoleOidc"/>): the ticket names the operator and the
    /// session token the sign-in opened, and says it came from OIDC; every request checks that operator and token
    /// again, as for a typed token. It lasts until the session token expires, or the console's lifetime if shorter.
    /// </summary>
    public Task SignInWithOidcAsync(HttpContext context, IssuedOperatorToken issued)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(issued);
        var now = time.GetUtcNow();
        var expires = now + options.Value.SessionLifetime;
        if (issued.Token.ExpiresAt < expires)
        {
            expires = issued.Token.ExpiresAt;
        }

        context.Items[CurrentKey] = null;
        return context.SignInAsync(SchemeName, Ticket([
            new Claim(ActingOperator.NameClaim, issued.Operator.Name),
            new Claim(ActingOperator.TokenIdClaim, issued.Token.Id),
            new Claim(OidcClaim, "true"),
        ]), new AuthenticationProperties { IssuedUtc = now, ExpiresUtc = expires, IsPersistent = false, AllowRefresh = false });
    }

    private static readonly object CurrentKey = new();

    /// <summary>Reads the signed-in operator once per request (see <see cref="CurrentAsync"/>); the console's middleware calls it first.</summary>
    public async Task ResolveAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Items[CurrentKey] = await ReadAsync(context);
    }

    /// <summary>
    /// The signed-in operator of this request, checked against the store when the request began (or now, the first
    /// time it is asked), or null.
    /// </summary>
    public async Task<ActingOperator?> CurrentAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Items.TryGetValue(CurrentKey, out var known))
        {
            return known as ActingOperator;
        }

        await ResolveAsync(context);
        return context.Items[CurrentKey] as ActingOperator;
    }

    /// <summary>
    /// The signed-in operator, checked again against the store, or null (no cookie, an expired or tampered ticket, a
    /// disabled operator, a revoked token). When there is one, <see cref="HttpContext.User"/> becomes their principal,
    /// the same one the admin API would build, so the ledger names them the same way.
    /// </summary>
    private async Task<ActingOperator?> ReadAsync(HttpContext context)
    {
        var result = await context.AuthenticateAsync(SchemeName);
        if (!result.Succeeded || result.Principal is not { } ticket)
        {
            return null;
        }

        ClaimsPrincipal? principal = null;
        if (ticket.FindFirst(ActingOperator.NameClaim)?.Value is { } name && ticket.FindFirst(ActingOperator.TokenIdClaim)?.Value is { } tokenId)
        {
            var account = await operators.GetAsync(name, context.RequestAborted);
            var tokens = await operators.ListTokensAsync(name, context.RequestAborted);
            var token = tokens.Value?.FirstOrDefault(t => t.Id == tokenId);
            if (account is { Enabled: true } && token is not null && token.IsUsableAt(time.GetUtcNow()))
            {
                principal = ActingOperator.Principal(account, token);
            }
        }
        else if (ticket.HasClaim(BootstrapClaim, "true") && adminTokens.Enabled)
        {
            principal = new ClaimsPrincipal(new ClaimsIdentity(
                [new Claim(ClaimTypes.Name, OperatorActors.BootstrapAdmin), new Claim(ClaimTypes.Role, AdminAuthenticationHandler.Role)],
                AdminAuthenticationHandler.SchemeName));
        }

        if (principal is null)
        {
            await context.SignOutAsync(SchemeName);
            return null;
        }

        context.User = principal;
        return ActingOperator.Of(principal);
    }

    public Task SignOutAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Items[CurrentKey] = null;
        return context.SignOutAsync(SchemeName);
    }

    private async Task<string> RefuseAsync(HttpContext context, string type, string reason)
    {
        await failures.RecordAsync(context, type, reason);
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        return "That token was not accepted. Check it and try again.";
    }

    private static ClaimsPrincipal Ticket(IEnumerable<Claim> claims) =>
        new(new ClaimsIdentity(claims, SchemeName));
}
