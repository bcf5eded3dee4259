namespace Mandate.Core.Delegation;

/// <summary>A confidential OAuth client: its id and the lower-case hex SHA-256 of its secret (the secret is never stored).</summary>
internal sealed class OAuthClientOptions
{
    public string ClientId { get; set; } = string.Empty;

    public string SecretSha256 { get; set; } = string.Empty;
}
