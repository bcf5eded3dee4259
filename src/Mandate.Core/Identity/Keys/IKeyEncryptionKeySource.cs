namespace Mandate.Core.Identity.Keys;

/// <summary>
/// The key-encryption key (32 bytes) that protects private keys at rest. The server keeps it in a file of its own
/// in the state directory, mode 0600, apart from the store; every node sharing a store needs the same file.
/// </summary>
internal interface IKeyEncryptionKeySource
{
    ReadOnlySpan<byte> Key { get; }
}
