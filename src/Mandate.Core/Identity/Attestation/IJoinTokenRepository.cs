namespace Mandate.Core.Identity.Attestation;

internal interface IJoinTokenRepository
{
    Task InsertAsync(string tokenHash, string spiffeId, DateTimeOffset createdAt, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>Marks the token used if it exists, is unused and unexpired; returns its SPIFFE ID, or null. At most one caller ever gets a non-null answer.</summary>
    Task<string?> ConsumeAsync(string tokenHash, DateTimeOffset now, CancellationToken cancellationToken);
}
