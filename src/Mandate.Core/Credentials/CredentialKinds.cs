namespace Mandate.Core.Credentials;

/// <summary>The kinds of credential Mandate issues (claim <c>mandate_kind</c>).</summary>
internal static class CredentialKinds
{
    /// <summary>Issued when a task is opened.</summary>
    public const string Task = "task";

    /// <summary>Issued by RFC 8693 token exchange.</summary>
    public const string Exchanged = "exchanged";

    /// <summary>A JWT-SVID issued by Mandate's identity service.</summary>
    public const string Svid = "svid";
}
