namespace Mandate.Core.Credentials;

/// <summary>A token as it was presented, with what proves the presenter holds its key.</summary>
internal sealed record CredentialPresentation(string Token)
{
    /// <summary>The <c>DPoP</c> header (RFC 9449) sent with the token, if any.</summary>
    public string? DpopProof { get; init; }

    /// <summary>The HTTP method of the request the proof was made for (<c>htm</c>).</summary>
    public string? HttpMethod { get; init; }

    /// <summary>The URI of the request the proof was made for (<c>htu</c>), without query and fragment.</summary>
    public string? HttpUri { get; init; }

    /// <summary>Base64url SHA-256 thumbprint of the client certificate of the connection (RFC 8705 <c>x5t#S256</c>).</summary>
    public string? ClientCertificateThumbprint { get; init; }

    /// <summary>Where the presentation came from (an address or component name), recorded as the use's source.</summary>
    public string? Source { get; init; }

    /// <summary>Whether the credential must be addressed to Mandate itself (its <c>aud</c> one of Mandate's own audiences), as at the decision point.</summary>
    public bool AddressedToMandate { get; init; }

    /// <summary>Whether this presentation counts as a use (introspection looks, it does not use).</summary>
    public bool RecordUse { get; init; } = true;
}
