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
    AuthenticationFailureAudit failures,
    Mandate.Core.Identity.Svid.JwtSvidValidator svids,
    Mandate.Core.Identity.Keys.IKeyRing keyRing)
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
        await Problem.WriteAsync(Context, StatusCodes.Status401Unauthorized, ProblemTypes.Unauthenticated, "Authentication required.", $"This endpoint needs the admin token as 'Authorization: Bearer <token>': {reason}.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = BearerChallenge.Forbidden(Context, "mandate-admin");
        return Problem.WriteAsync(Context, StatusCodes.Status403Forbidden, ProblemTypes.Forbidden, "Forbidden.", "The credential is valid but does not grant admin access.");
    }

    /// <summary>
    /// A workload presenting its own valid SVID to an admin API is named as the subject of the refusal: it is a workload
    /// reaching for admin power (detection's <c>privilege_escalation_attempt</c>), not an anonymous guess.
    /// </summary>
    private Task RecordFailureAsync(string reason)
    {
        var presented = BearerToken.Read(Request);
        string? workload = null;
        if (presented is not null && presented.Count(c => c == '.') == 2 && svids.Validate(presented, keyRing.Issuer) is { IsValid: true, Svid: { } svid })
        {
            workload = svid.Subject.Value;
            reason = "a workload SVID was presented to an admin API";
        }

        return failures.RecordAsync(Context, "admin.authentication_failed", reason, workload);
    }
}
