using System.Security.Claims;
using System.Text.Encodings.Web;
using Mandate.Core.Identity;
using Mandate.Core.Identity.Keys;
using Mandate.Core.Identity.Svid;
using Mandate.Server.Identity;
using Mandate.Server.Problems;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Mandate.Server.Authentication;

/// <summary>Validates a Mandate JWT-SVID bearer token (sole audience: the Mandate issuer) and yields the workload's principal.</summary>
internal sealed class WorkloadAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    JwtSvidValidator validator,
    IKeyRing keyRing,
    AuthenticationFailureAudit failures)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    private const string FailureKey = "mandate.workload.failure";
    private const string DeadKey = "mandate.workload.dead";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = BearerToken.Read(Request);
        if (presented is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var result = validator.ValidatePresentedTo(presented, keyRing.Issuer);
        if (!result.IsValid)
        {
            Context.Items[FailureKey] = result.Error;
            if (result.Dead is { } dead)
            {
                Context.Items[DeadKey] = dead;
            }

            return Task.FromResult(AuthenticateResult.Fail(result.Error!.Code));
        }

        var svid = result.Svid!;
        var claims = new List<Claim>
        {
            new(WorkloadAuthentication.SubjectClaim, svid.Subject.Value),
            new(ClaimTypes.NameIdentifier, svid.Subject.Value),
        };
        if (svid.Jti is not null)
        {
            claims.Add(new Claim(WorkloadAuthentication.JtiClaim, svid.Jti));
        }

        var identity = new ClaimsIdentity(claims, WorkloadAuthentication.SchemeName, WorkloadAuthentication.SubjectClaim, ClaimTypes.Role);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), WorkloadAuthentication.SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var error = Context.Items.TryGetValue(FailureKey, out var value) && value is IdentityError e
            ? e
            : new IdentityError(ProblemTypes.Unauthenticated.Code, "no bearer token was presented");
        IdentityLog.WorkloadAuthenticationFailed(Logger, Request.Path, error.Code);
        await RecordFailureAsync(error);
        if (Context.Items.TryGetValue(DeadKey, out var deadValue) && deadValue is JwtSvid dead)
        {
            var state = error.Code switch
            {
                IdentityErrorCodes.TokenExpired => "expired",
                IdentityErrorCodes.TokenRevoked => "revoked",
                _ => "identity_inactive",
            };
            await failures.RecordReuseAsync(Context, "svid_authentication", dead.Subject.Value, dead.Jti, state, dead.ExpiresAt);
        }

        Response.Headers.WWWAuthenticate = BearerChallenge.Unauthorized(Context, "mandate-workload");
        await Problem.WriteAsync(
            Context,
            StatusCodes.Status401Unauthorized,
            ProblemTypes.Of(error.Code),
            $"This endpoint needs a Mandate JWT-SVID (audience {keyRing.Issuer}) as 'Authorization: Bearer <token>': {error.Message}");
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = BearerChallenge.Forbidden(Context, "mandate-workload");
        const string Reason = "The workload is authenticated but not allowed to make this call.";
        await failures.RecordForbiddenAsync(Context, Context.User.Identity?.Name ?? "unknown", Reason);
        await Problem.WriteAsync(Context, StatusCodes.Status403Forbidden, ProblemTypes.Forbidden, Reason);
    }

    private Task RecordFailureAsync(IdentityError error) =>
        failures.RecordAsync(Context, "identity.authentication_failed", error.Code);
}
