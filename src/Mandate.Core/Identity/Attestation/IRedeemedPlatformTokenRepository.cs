namespace Mandate.Core.Identity.Attestation;

/// <summary>
/// The platform tokens already exchanged for SVIDs. Kept in the store, so a token redeemed on one node is refused on
/// every other.
/// </summary>
internal interface IRedeemedPlatformTokenRepository
{
    /// <summary>
    /// Records a redemption unless an unexpired record for the same issuer and <c>jti</c> exists (an expired one is
    /// replaced). True when this call recorded it; of concurrent callers at most one gets true.
    /// </summary>
    Task<bool> TryRecordAsync(RedeemedPlatformToken token, CancellationToken cancellationToken);

    /// <summary>The record for an issuer and <c>jti</c> hash, expired or not, or null.</summary>
    Task<RedeemedPlatformToken?> GetAsync(string issuer, string jtiHash, CancellationToken cancellationToken);

    /// <summary>Deletes the records that expired at or before <paramref name="now"/>; returns how many.</summary>
    Task<int> PurgeExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
