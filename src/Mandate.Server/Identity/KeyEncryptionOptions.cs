namespace Mandate.Server.Identity;

/// <summary>
/// Where the identity key-encryption key comes from (section <c>Mandate:KeyEncryption</c>): the key that seals the
/// signing keys, the CA key and the stored secrets (webhooks, SSF) in the store. Neither set: a key generated at first
/// start into <c>STATE/identity.kek</c> (one node). Nodes that share a store must all be given the same key.
/// </summary>
internal sealed class KeyEncryptionOptions
{
    public const string SectionName = "Mandate:KeyEncryption";

    /// <summary>The key itself, base64 of 32 bytes (e.g. from a secret in the environment: <c>Mandate__KeyEncryption__Key</c>).</summary>
    public string? Key { get; set; }

    /// <summary>A file holding the key as base64 of 32 bytes (e.g. a mounted secret); read, never created.</summary>
    public string? KeyFile { get; set; }
}
