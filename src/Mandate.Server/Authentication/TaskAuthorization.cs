using System.Security.Claims;
using Mandate.Server.Operators;

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

    /// <summary>
    /// Whether the caller is a person running Mandate (an operator of any role, or the bootstrap admin token) rather
    /// than a workload: they see every workload's tasks. Changing a task also needs <c>security</c>, checked by the endpoint.
    /// </summary>
    public static bool IsAdmin(ClaimsPrincipal user) => ActingOperator.Of(user) is not null;

    /// <summary>The caller's SPIFFE ID, or the acting operator (<c>operator:&lt;name&gt;</c>, <c>admin</c>).</summary>
    public static string Caller(ClaimsPrincipal user) =>
        ActingOperator.Of(user)?.Actor ?? user.FindFirst(WorkloadAuthentication.SubjectClaim)?.Value ?? "unknown";
}
