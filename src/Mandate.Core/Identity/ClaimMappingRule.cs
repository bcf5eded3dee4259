namespace Mandate.Core.Identity;

/// <summary>
/// Maps a verified platform token to a SPIFFE ID. Every entry of <see cref="Match"/> must hold (claim equals the value,
/// or matches it when the value ends with <c>*</c> as a prefix pattern); then <see cref="SpiffeId"/> is expanded with
/// <c>{claim}</c> placeholders and must parse as a SPIFFE ID in Mandate's trust domain.
/// </summary>
internal sealed class ClaimMappingRule
{
    public IDictionary<string, string> Match { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>E.g. <c>spiffe://example.org/ci/github/{repository}/{workflow}</c> or <c>spiffe://example.org/k8s/{sub}</c>.</summary>
    public string SpiffeId { get; set; } = string.Empty;
}
