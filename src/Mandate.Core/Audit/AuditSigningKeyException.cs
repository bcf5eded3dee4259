namespace Mandate.Core.Audit;

/// <summary>
/// The store holds checkpoint signing keys and this node can unseal none of them: its audit key-encryption key is not
/// the one they were sealed with. The server refuses to start with the message, rather than sign with a key of its own.
/// </summary>
internal sealed class AuditSigningKeyException(string message) : Exception(message);
