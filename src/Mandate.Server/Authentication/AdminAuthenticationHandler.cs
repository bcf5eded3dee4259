using System.Security.Claims;
using Mandate.Core.Admin;
using Mandate.Core.Decisions;
using Mandate.Core.Operators;
using Mandate.Server.Operators;
using Mandate.Server.Problems;
using Microsoft.AspNetCore.Authentication;

namespace Mandate.Server.Authentication;

/// <summary>
/// Authenticates the people who run Mandate: <c>Authorization: Bearer mot_…</c> is a named operator's token (looked up
/// by its hash; revoked, expired or disabled ones are refused), any other bearer is checked against the bootstrap
/// admin token's stored hash (refused outright while <c>Mandate:Admin:BootstrapToken</c> is <c>Disabled</c>). Every
/// refusal is audited and counted against the client's failure limit (<see cref="AuthenticationFailureAudit"/>).
/// </summary>
/// <remarks>
/// The server's default scheme, so it runs on every request that carries a bearer. It implements
/// <see cref="IAuthenticationHandler"/> itself rather than deriving from <see cref="AuthenticationHandler{TOptions}"/>:
/// the base class made an events object and its task on every request (this scheme has no events) and wrapped every
/// result in one more task, and it has no options, forwarding or events for the base to resolve.
/// </remarks>
internal sealed class AdminAuthenticationHandler(
    ILogger<AdminAuthenticationHandler> logger,
    AdminTokens adminTokens,
    OperatorDirectory operators,
    AuthenticationFailureAudit failures,
    Mandate.Core.Identity.Svid.JwtSvidValidator svids,
    Mandate.Core.Identity.Keys.IKeyRing keyRing)
    : IAuthenticationHandler
{
    public const string SchemeName = "MandateAdmin";
    public const string Role = "mandate-admin";
    private const string FailureKey = "mandate.admin.failure";
    private const string FailureTypeKey = "mandate.admin.failure_type";

    private HttpContext? context;

    // The first answer for this request: asking again (the decision point, a policy naming the scheme) neither checks
    // the token a second time nor records a second refusal, as AuthenticationHandler's HandleAuthenticateOnceAsync.
    private Task<AuthenticateResult>? authenticated;

    private HttpContext Context => context ?? throw new InvalidOperationException("The handler is used before InitializeAsync.");

    private HttpRequest Request => Context.Request;

    private HttpResponse Response => Context.Response;

    public Task InitializeAsync(AuthenticationScheme scheme, HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        this.context = context;
        return Task.CompletedTask;
    }

    public Task<AuthenticateResult> AuthenticateAsync() => authenticated ??= HandleAuthenticateAsync();

    public Task ChallengeAsync(AuthenticationProperties? properties) => HandleChallengeAsync();

    public Task ForbidAsync(AuthenticationProperties? properties) => HandleForbiddenAsync();

    // A request without an admin credential (a PEP credential, a JWT-SVID, none) is answered with one shared task:
    // the handler runs on every request, and most decisions carry no admin credential. The result carries no principal
    // and no properties, so nothing per request can change it.
    private static readonly Task<AuthenticateResult> NoAdminCredential = Task.FromResult(AuthenticateResult.NoResult());

    private Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // The token is read as a slice of the header: it is copied into a string only for an operator token's lookup.
        var presented = BearerToken.Find(Request);
        if (presented.IsEmpty)
        {
            return NoAdminCredential;
        }

        if (presented.Span.StartsWith(PepCredentials.TokenPrefix, StringComparison.Ordinal))
        {
            // An issued PEP credential opens only the decision point, which checks it itself: not hashed here, on every
            // decision, only to fail. An admin endpoint still refuses it (the challenge below).
            return NoAdminCredential;
        }

        if (presented.Span.StartsWith(OperatorDirectory.TokenPrefix, StringComparison.Ordinal))
        {
            return OperatorAsync(presented.ToString());
        }

        if (!AdminTokens.IsAdminTokenShaped(presented.Span))
        {
            // Neither an operator token nor the bootstrap token (a PEP credential, a JWT-SVID, a guess): refused without
            // a hash or a failure object per request; an admin endpoint's challenge says why (NotAdminReason).
            return NoAdminCredential;
        }

        return BootstrapAsync(presented);
    }

    private async Task<AuthenticateResult> OperatorAsync(string presented)
    {
        var result = await operators.AuthenticateAsync(presented, Context.RequestAborted);
        if (!result.Succeeded)
        {
            Context.Items[FailureKey] = result.Failure;
            Context.Items[FailureTypeKey] = "operator.authentication_failed";
            return AuthenticateResult.Fail("invalid operator token");
        }

        return AuthenticateResult.Success(Ticket(ActingOperator.Principal(result.Operator!, result.Token!)));
    }

    private async Task<AuthenticateResult> BootstrapAsync(ReadOnlyMemory<char> presented)
    {
        if (!await adminTokens.ValidateAsync(presented, Context.RequestAborted))
        {
            Context.Items[FailureKey] = NotAdminTokenReason();
            return AuthenticateResult.Fail("invalid admin token");
        }

        // The token verified: the caller is the bootstrap admin, whose principal is the same for every such request.
        return AuthenticateResult.Success(Ticket(BootstrapAdminPrincipal.Instance));
    }

    // A ticket of this scheme carries no properties: it signs nobody in, persists nothing and redirects nowhere. The
    // default AuthenticationProperties would be two empty dictionaries per request; these are empty, shared and
    // read-only (a write throws rather than reaching other requests).
    private static readonly IDictionary<string, string?> NoItems = new System.Collections.ObjectModel.ReadOnlyDictionary<string, string?>(new Dictionary<string, string?>());
    private static readonly IDictionary<string, object?> NoParameters = new System.Collections.ObjectModel.ReadOnlyDictionary<string, object?>(new Dictionary<string, object?>());

    private static AuthenticationTicket Ticket(ClaimsPrincipal principal) => new(principal, new AuthenticationProperties(NoItems, NoParameters), SchemeName);

    private async Task HandleChallengeAsync()
    {
        var reason = Context.Items.TryGetValue(FailureKey, out var value) && value is string text
            ? text
            : NotAdminReason(BearerToken.Read(Request));
        var type = Context.Items.TryGetValue(FailureTypeKey, out var kind) && kind is string t ? t : "admin.authentication_failed";
        Log.AdminAuthenticationFailed(logger, Context.Connection.RemoteIpAddress?.ToString(), Request.Path, reason);
        await RecordFailureAsync(type, reason);
        Response.Headers.WWWAuthenticate = BearerChallenge.Unauthorized(Context, "mandate-admin");
        await Problem.WriteAsync(Context, StatusCodes.Status401Unauthorized, ProblemTypes.Unauthenticated, $"This endpoint needs an operator token or the admin token as 'Authorization: Bearer <token>': {reason}.");
    }

    private async Task HandleForbiddenAsync()
    {
        Response.Headers.WWWAuthenticate = BearerChallenge.Forbidden(Context, "mandate-admin");
        const string Reason = "The credential is valid but does not grant this access.";
        await failures.RecordForbiddenAsync(Context, Context.User.Identity?.Name ?? "unknown", Reason);
        await Problem.WriteAsync(Context, StatusCodes.Status403Forbidden, ProblemTypes.Forbidden, Reason);
    }

    /// <summary>Why a bearer the handler did not even check is refused (no bearer, or not shaped like an admin credential).</summary>
    private string NotAdminReason(string? presented) => presented switch
    {
        null => "no bearer token was presented",
        _ when presented.StartsWith(PepCredentials.TokenPrefix, StringComparison.Ordinal) => "a PEP credential opens only the decision point",
        _ => NotAdminTokenReason(),
    };

    /// <summary>
    /// Why a bearer that is not an operator token is refused as the bootstrap token, whether it was checked and failed
    /// or not even shaped like one: the same words both ways, which only say whether the bootstrap token is accepted.
    /// </summary>
    private string NotAdminTokenReason() => adminTokens.Enabled
        ? "the bearer token is neither an operator token nor the admin token"
        : "the bearer token is not an operator token, and the bootstrap admin token is disabled (Mandate:Admin:BootstrapToken)";

    /// <summary>
    /// A workload presenting its own valid SVID to an admin API is named as the subject of the refusal: it is a workload
    /// reaching for admin power (detection's <c>privilege_escalation_attempt</c>), not an anonymous guess.
    /// </summary>
    private Task RecordFailureAsync(string type, string reason)
    {
        var presented = BearerToken.Read(Request);
        string? workload = null;
        if (presented is not null && presented.Count(c => c == '.') == 2 && svids.Validate(presented, keyRing.Issuer) is { IsValid: true, Svid: { } svid })
        {
            workload = svid.Subject.Value;
            reason = "a workload SVID was presented to an admin API";
        }

        return failures.RecordAsync(Context, type, reason, workload);
    }
}
