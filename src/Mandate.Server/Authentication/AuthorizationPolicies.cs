namespace Mandate.Server.Authentication;

internal static class AuthorizationPolicies
{
    /// <summary>Admin endpoints: <c>.RequireAuthorization(AuthorizationPolicies.Admin)</c>.</summary>
    public const string Admin = "mandate-admin";

    /// <summary>Workload endpoints: a Mandate JWT-SVID bearer token (scheme <c>WorkloadSvid</c>); <c>sub</c> is the caller's SPIFFE ID.</summary>
    public const string Workload = "mandate-workload";
}
