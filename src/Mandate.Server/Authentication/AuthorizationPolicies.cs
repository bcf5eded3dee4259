namespace Mandate.Server.Authentication;

internal static class AuthorizationPolicies
{
    /// <summary>
    /// Admin-only endpoints: the same as <see cref="Operators.OperatorPolicies.Admin"/> (an operator with the
    /// <c>admin</c> role, or the bootstrap admin token). New endpoints say which role they need with
    /// <c>.RequireOperatorRole(OperatorRole.X)</c> instead.
    /// </summary>
    public const string Admin = "mandate-admin";

    /// <summary>Workload endpoints: a Mandate JWT-SVID bearer token (scheme <c>WorkloadSvid</c>); <c>sub</c> is the caller's SPIFFE ID.</summary>
    public const string Workload = "mandate-workload";
}
