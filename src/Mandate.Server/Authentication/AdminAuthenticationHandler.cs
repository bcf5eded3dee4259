using System.Security.Claims;
using System.Text.Encodings.Web;
using Mandate.Core.Admin;
using Mandate.Server.Problems;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Authentication;

/// <summary>Authenticates <c>Authorization: Bearer &lt;admin token&gt;</c> against the stored hash.</summary>
internal sealed class AdminAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    AdminTokens adminTokens,
    AuthenticationFailureAudit failures)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "MandateAdmin";
    public const string Role = "mandate-admin";
    private const string FailureKey = "mandate.admin.failure";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = BearerToken.Read(Request);
        if (presented is null)
        {
            return AuthenticateResult.NoResult();
        }

        if (!await adminTokens.ValidateAsync(presented, Context.RequestAborted))
        {
            Context.Items[FailureKey] = "the bearer token is not the admin token";
            return AuthenticateResult.Fail("invalid admin token");
        }

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, "admin"), new Claim(ClaimTypes.Role, Role)],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var reason = Context.Items.TryGetValue(FailureKey, out var value) && value is string text
            ? text
            : "no bearer token was presented";
        Log.AdminAuthenticationFailed(Logger, Context.Connection.RemoteIpAddress?.ToString(), Request.Path, reason);
        await RecordFailureAsync(reason);
        Response.Headers.WWWAuthenticate = BearerChallenge.Unauthorized(Context, "mandate-admin");
        await Problem.WriteAsync(Context, StatusCodes.Status401Unauthorized, ProblemTypes.Unauthenticated, $"This endpoint needs the admin token as 'Authorization: Bearer <token>': {reason}.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = BearerChallenge.Forbidden(Context, "mandate-admin");
        return Problem.WriteAsync(Context, StatusCodes.Status403Forbidden, ProblemTypes.Forbidden, "The credential is valid but does not grant admin access.");
    }

    private Task RecordFailureAsync(string reason) =>
        failures.RecordAsync(Context, "admin.authentication_failed", reason);
}
