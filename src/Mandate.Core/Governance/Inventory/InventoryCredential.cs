namespace Mandate.Core.Governance.Inventory;

/// <summary>
/// A credential an imported identity holds, by its metadata only: never the secret. <see cref="Fingerprint"/> is a
/// digest of the secret when the source gives one (Mandate's own JSON/CSV); AWS and Kubernetes give none.
/// </summary>
internal sealed record InventoryCredential
{
    /// <summary>Where the credential sits on the identity: <c>access_key_1</c>, <c>cert_2</c>, a name of the file's choosing.</summary>
    public required string Slot { get; init; }

    /// <summary><c>access_key</c>, <c>certificate</c>, <c>token</c>, <c>password</c> or <c>secret</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The credential's public identifier (an access key id), when the source gives one.</summary>
    public string? CredentialId { get; init; }

    public required bool Active { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    public DateTimeOffset? LastRotatedAt { get; init; }

    public DateTimeOffset? LastUsedAt { get; init; }

    public string? LastUsedRegion { get; init; }

    public string? LastUsedService { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    public string? Fingerprint { get; init; }
}
