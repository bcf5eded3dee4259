namespace Mandate.Server.Authentication;

public static class AuthorizationPolicies
{
    /// <summary>Admin endpoints: <c>.RequireAuthorization(AuthorizationPolicies.Admin)</c>.</summary>
    public const string Admin = "mandate-admin";
}
