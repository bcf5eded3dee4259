namespace Mandate.Core.Credentials;

/// <summary>Private claim names Mandate puts in the credentials it issues (RFC 7519 §4.3 collision-resistant by prefix).</summary>
internal static class MandateClaims
{
    public const string Kind = "mandate_kind";
    public const string TaskId = "task_id";
    public const string Intent = "mandate_intent";

    /// <summary>The <c>jti</c>s a token was exchanged from, root first: each is checked for revocation on every use.</summary>
    public const string Lineage = "mandate_lineage";
}
