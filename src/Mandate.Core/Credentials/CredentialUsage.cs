namespace Mandate.Core.Credentials;

/// <summary>How a credential has been used: lets governance tell access granted from access used.</summary>
internal sealed record CredentialUsage(long Count, DateTimeOffset? FirstUsedAt, DateTimeOffset? LastUsedAt, string? LastSource)
{
    public static CredentialUsage Unused { get; } = new(0, null, null, null);
}
