using System.Security.Claims;

namespace Mandate.Server.Authentication;

/// <summary>
/// Endpoints that both admins and attested workloads call (task list/show/complete, introspection). One forwarding
/// scheme picks the handler by the token's shape (a JWT-SVID has two dots, the admin token none), so that exactly one
/// handler answers a challenge.
/// </summary>
internal static class TaskAuthorization
{
    public const string Scheme = "MandateAdminOrWorkload";
    public const string AdminOrWorkload = "mandate-admin-or-workload";

    public static bool IsAdmin(ClaimsPrincipal user) => user.IsInRole(AdminAuthenticationHandler.Role);

    /// <summary>The caller's SPIFFE ID, or <c>admin</c>.</summary>
    public static string Caller(ClaimsPrincipal user) =>
        IsAdmin(user) ? "admin" : user.FindFirst(WorkloadAuthentication.SubjectClaim)?.Value ?? "unknown";
}
