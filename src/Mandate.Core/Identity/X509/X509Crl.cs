namespace Mandate.Core.Identity.X509;

/// <summary>A signed CRL (DER) and what it says: its number, its validity window and the serials it lists.</summary>
internal sealed record X509Crl(byte[] Der, long Number, DateTimeOffset ThisUpdate, DateTimeOffset NextUpdate, IReadOnlyList<RevokedX509Serial> Revoked);
