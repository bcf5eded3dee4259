using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Mandate.Core.Credentials;
using Mandate.Core.Decisions;
using Mandate.Protocol.AuthZen;
using Mandate.Server.Authentication;
using Mandate.Server.Http;
using Mandate.Server.Identity;
using Mandate.Server.Problems;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Features.Authentication;

namespace Mandate.Server.Decisions;

/// <summary>
/// Who calls the decision point. An enforcement point authenticates with <c>Authorization: Bearer</c> and one of: the
/// admin token or an admin operator's token (sees policy diagnostics too), a PEP credential configured
/// (<c>Mandate:Decisions:PepCredentials</c>) or issued through <c>/v1/pep-credentials</c> (stored hashed, looked up on
/// every call so a revocation counts at once; both recorded as <c>pep:&lt;name&gt;</c>), or a Mandate JWT-SVID (recorded as
/// its SPIFFE ID). Without a credential the call is refused (401) unless <c>Mandate:Decisions:AllowAnonymousPeps</c>
/// admits it (<c>Loopback</c>: clients on a loopback address; the demo's default). A credential that does not verify is
/// refused even where anonymous calls are admitted. Anonymous callers see decisions only, never deny reasons.
/// </summary>
internal static class PepAuthentication
{
    /// <summary>The longest <c>X-Request-ID</c> that is echoed and audited; a longer one is replaced by the server's own id.</summary>
    public const int MaxRequestIdLength = 128;

    /// <summary>
    /// The call, or the problem to answer instead: 401, or 429 when the caller is over its rate limit
    /// (<see cref="DecisionRateLimits"/>: an authenticated caller's own budget, else its client network's).
    /// </summary>
    public static async ValueTask<(AuthZenCall? Call, IResult? Problem)> AuthenticateAsync(HttpContext http, DecisionOptions settings, AuthenticationFailureAudit failures)
    {
        ArgumentNullException.ThrowIfNull(http);
        var limits = http.RequestServices.GetRequiredService<DecisionRateLimits>();
        var withCredential = http.Request.Headers.Authorization.Count > 0;
        if (!withCredential && await limits.AdmitUnauthenticatedAsync(http) is { } flooded)
        {
            // Nothing to check: the network's budget is counted before any work.
            return (null, flooded);
        }

        var (call, problem) = await AuthenticateAsync(http, settings, failures, http.RequestServices.GetRequiredService<PepCredentials>());
        if (problem is not null)
        {
            // A refused credential is unauthenticated: it takes from its network's budget (a request without one already has).
            return (null, withCredential ? await limits.AdmitUnauthenticatedAsync(http) ?? problem : problem);
        }

        if (call!.Caller is { } caller && await limits.AdmitCallerAsync(http, caller) is { } overLimit)
        {
            return (null, overLimit);
        }

        return (call, null);
    }

    /// <summary>The call, or the 401 problem to answer instead.</summary>
    public static async ValueTask<(AuthZenCall? Call, IResult? Problem)> AuthenticateAsync(HttpContext http, DecisionOptions settings, AuthenticationFailureAudit failures, PepCredentials issued)
    {
        var requestId = RequestId(http);
        var client = ClientNetwork.Of(http.Connection.RemoteIpAddress, 64);
        // A slice of the header, never copied: the admin token was checked already by the authentication middleware, and
        // PEP credentials, configured or issued, are only hashed.
        var presented = BearerToken.Find(http.Request);
        if (presented.IsEmpty)
        {
            if (http.Request.Headers.Authorization.Count == 0 && AnonymousAllowed(http, settings))
            {
                return (new AuthZenCall(requestId, false, null, client), null);
            }

            return (null, await RefuseAsync(http, failures, "no PEP credential was presented", "missing"));
        }

        var admin = await AdminAsync(http, presented);
        if (admin is { Succeeded: true } && admin.Principal.IsInRole(AdminAuthenticationHandler.Role))
        {
            return (new AuthZenCall(requestId, true, admin.Principal.Identity?.Name ?? "admin", client), null);
        }

        if (ConfiguredCaller(presented.Span, settings) is { } configured)
        {
            return (new AuthZenCall(requestId, false, configured, client), null);
        }

        if (presented.Span.StartsWith(PepCredentials.TokenPrefix, StringComparison.Ordinal)
            && await issued.AuthenticateAsync(presented, http.RequestAborted) is { } issuedName)
        {
            return (new AuthZenCall(requestId, false, "pep:" + issuedName, client), null);
        }

        var workload = await http.AuthenticateAsync(WorkloadAuthentication.SchemeName);
        if (workload.Succeeded && workload.Principal.FindFirst(WorkloadAuthentication.SubjectClaim)?.Value is { } spiffeId)
        {
            return (new AuthZenCall(requestId, false, spiffeId, client), null);
        }

        return (null, await RefuseAsync(http, failures, "the bearer token is not a PEP credential, a Mandate JWT-SVID or the admin token", "invalid"));
    }

    /// <summary>
    /// The admin scheme's answer for the presented token without running it twice per call: the authentication
    /// middleware has already run it (the server's default scheme) and keeps a success on the request. That handler
    /// accepts only operator tokens and the bootstrap token, each minted with its own prefix, so a token without either
    /// (a PEP credential, a JWT-SVID) is not offered to it again.
    /// </summary>
    private static async ValueTask<AuthenticateResult?> AdminAsync(HttpContext http, ReadOnlyMemory<char> presented)
    {
        if (http.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult is { Succeeded: true, Ticket.AuthenticationScheme: AdminAuthenticationHandler.SchemeName } known)
        {
            return known;
        }

        // Only an operator token or the bootstrap token can be an admin credential; the handler refuses anything else
        // without looking (a PEP credential, configured or issued, a JWT-SVID), so it is not asked again.
        if (!presented.Span.StartsWith(Core.Operators.OperatorDirectory.TokenPrefix, StringComparison.Ordinal) && !Core.Admin.AdminTokens.IsAdminTokenShaped(presented.Span))
        {
            return null;
        }

        return await http.AuthenticateAsync(AdminAuthenticationHandler.SchemeName);
    }

    /// <summary>The caller's <c>X-Request-ID</c> when it is short printable ASCII, else the server's own id.</summary>
    public static string RequestId(HttpContext http)
    {
        var presented = http.Request.Headers[AuthZenPaths.RequestIdHeader];
        if (presented.Count == 1 && presented[0] is { Length: > 0 and <= MaxRequestIdLength } id && id.All(c => c is >= '!' and <= '~'))
        {
            return id;
        }

        return http.TraceIdentifier;
    }

    private static bool AnonymousAllowed(HttpContext http, DecisionOptions settings)
    {
        if (settings.AllowAnonymousPeps is not AnonymousPepAccess.Loopback)
        {
            return false;
        }

        return ClientNetwork.IsLoopback(http.Connection.RemoteIpAddress);
    }

    /// <summary>
    /// The caller (<c>pep:&lt;name&gt;</c>) of the configured PEP credential the token is, by constant-time comparison of
    /// SHA-256 hashes.
    /// </summary>
    private static string? ConfiguredCaller(ReadOnlySpan<char> presented, DecisionOptions settings)
    {
        if (settings.PepCredentials.Count == 0 || presented.Length is < 32 or > 512)
        {
            return null;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        TokenHashing.Sha256Utf8(presented, hash);
        string? match = null;
        foreach (var (caller, expected) in ConfiguredHashes.GetValue(settings, Decode))
        {
            if (CryptographicOperations.FixedTimeEquals(hash, expected))
            {
                match ??= caller;
            }
        }

        return match;
    }

    /// <summary>
    /// The configured credentials' callers and hashes, made once per settings object rather than on every call (the
    /// caller's name too: it is the same string for every call of that credential).
    /// </summary>
    private static readonly ConditionalWeakTable<DecisionOptions, (string Caller, byte[] Hash)[]> ConfiguredHashes = new();

    private static (string Caller, byte[] Hash)[] Decode(DecisionOptions settings) =>
        [.. settings.PepCredentials.Select(p => ("pep:" + p.Name, Convert.FromHexString(p.TokenSha256)))];

    private static async Task<IResult> RefuseAsync(HttpContext http, AuthenticationFailureAudit failures, string reason, string kind)
    {
        await failures.RecordAsync(http, "decision.authentication_failed", kind);
        http.Response.Headers.WWWAuthenticate = BearerChallenge.Unauthorized(http, "mandate-pep");
        return Problem.Result(
            StatusCodes.Status401Unauthorized,
            ProblemTypes.Unauthenticated,
            $"The decision point needs an enforcement point credential as 'Authorization: Bearer <token>' (a Mandate JWT-SVID, a PEP credential or the admin token): {reason}.");
    }
}
