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

    /// <summary>
    /// An X.509-SVID, recorded at issuance under the <c>jti</c> <c>x509:</c> + its serial (upper-case hex), so that a
    /// revocation of it, of its identity or of its owner reaches it and the CRL lists it.
    /// </summary>
    public const string X509Svid = "x509_svid";

    /// <summary>The <c>jti</c> under which an X.509-SVID with this serial (hex) is recorded and revoked.</summary>
    public static string X509SvidJti(string serialHex) => "x509:" + serialHex.ToUpperInvariant();
}
