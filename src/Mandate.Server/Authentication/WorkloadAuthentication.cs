namespace Mandate.Server.Authentication;

/// <summary>
/// Workload callers authenticate with <c>Authorization: Bearer &lt;JWT-SVID issued by Mandate&gt;</c> whose audience
/// is the Mandate issuer. The principal's <c>sub</c> claim is the caller's SPIFFE ID.
/// </summary>
internal static class WorkloadAuthentication
{
    public const string SchemeName = "WorkloadSvid";

    /// <summary>The claim carrying the caller's SPIFFE ID.</summary>
    public const string SubjectClaim = "sub";

    /// <summary>The claim carrying the presented SVID's <c>jti</c> (for audit).</summary>
    public const string JtiClaim = "jti";
}
