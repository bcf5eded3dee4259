namespace Mandate.Core.Operators;

/// <summary>
/// The OIDC ID tokens already used for an operator sign-in. Kept in the store, so a token used on one node is refused
/// on every other.
/// </summary>
internal interface IRedeemedIdTokenRepository
{
    /// <summary>
    /// Records a use unless an unexpired record of the same issuer and hash exists (an expired one is replaced). True
    /// when this call recorded it; of concurrent callers at most one gets true.
    /// </summary>
    Task<bool> TryRecordAsync(RedeemedIdToken token, CancellationToken cancellationToken);

    /// <summary>Deletes the records that expired at or before <paramref name="now"/>; returns how many.</summary>
    Task<int> PurgeExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
