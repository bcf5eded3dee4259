namespace Mandate.Core.Identity.Keys;

/// <summary>
/// The key-encryption key (32 bytes) that protects private keys at rest, kept apart from the store (configured, or a
/// file in the server's state directory); every node sharing a store needs the same key.
/// </summary>
internal interface IKeyEncryptionKeySource
{
    ReadOnlySpan<byte> Key { get; }

    /// <summary>Where the key comes from, for an operator (a setting's name or a file's path; never the key).</summary>
    string Origin { get; }
}
