namespace Mandate.Core.Identity.Keys;

/// <summary>
/// A key as the store keeps it: the private key only encrypted (AES-256-GCM under the key-encryption key, the
/// <c>kid</c> as associated data), the public half as a JWK, the certificate for a CA key.
/// </summary>
/// <param name="Kid">RFC 7638 thumbprint of the public key.</param>
/// <param name="Purpose">See <see cref="KeyPurposes"/>.</param>
/// <param name="Algorithm">The one JWS algorithm the key is used with.</param>
/// <param name="PublicJwk">The public key as a JWK.</param>
/// <param name="EncryptedPrivateKey">PKCS#8, encrypted by <see cref="PrivateKeyProtector"/>.</param>
/// <param name="Certificate">DER certificate (CA keys only).</param>
/// <param name="CreatedAt">Creation, which is also the start of publication.</param>
/// <param name="ActivatesAt">From when the key signs; before that it is only published.</param>
/// <param name="RetiresAt">When the key stops signing (its successor's activation), or null while it has none.</param>
/// <param name="PublishUntil">When the key leaves the published set (every token it signed has expired), or null.</param>
internal sealed record StoredKey(
    string Kid,
    string Purpose,
    string Algorithm,
    string PublicJwk,
    byte[] EncryptedPrivateKey,
    byte[]? Certificate,
    DateTimeOffset CreatedAt,
    DateTimeOffset ActivatesAt,
    DateTimeOffset? RetiresAt,
    DateTimeOffset? PublishUntil)
{
    /// <summary>The same key material (by content: record equality compares the arrays by reference).</summary>
    public bool HasSameMaterial(StoredKey other) =>
        other is not null
        && Kid == other.Kid && Purpose == other.Purpose && Algorithm == other.Algorithm && PublicJwk == other.PublicJwk
        && EncryptedPrivateKey.AsSpan().SequenceEqual(other.EncryptedPrivateKey)
        && (Certificate is null ? other.Certificate is null : other.Certificate is not null && Certificate.AsSpan().SequenceEqual(other.Certificate));

    public bool HasSameSchedule(StoredKey other) =>
        other is not null
        && CreatedAt == other.CreatedAt && ActivatesAt == other.ActivatesAt && RetiresAt == other.RetiresAt && PublishUntil == other.PublishUntil;
}
