namespace Mandate.Core.Audit;

/// <summary>A checkpoint signing key as stored: the public JWK and the private key sealed with AES-256-GCM.</summary>
internal sealed record StoredAuditSigningKey(AuditPublicKey PublicKey, byte[] EncryptedPrivateKey, DateTimeOffset CreatedAt);
