namespace Mandate.Core.Identity.Attestation;

/// <summary>
/// A platform token that was exchanged for an SVID, named by its issuer and the SHA-256 of its <c>jti</c> (hex), kept
/// until <paramref name="ExpiresAt"/>, after which the token itself is refused as expired.
/// </summary>
/// <param name="Issuer">The platform token's <c>iss</c> (a configured trusted issuer).</param>
/// <param name="JtiHash">Lower-case hex SHA-256 of the token's <c>jti</c>: fixed length whatever the issuer puts there.</param>
/// <param name="SpiffeId">The SPIFFE ID the token was mapped to.</param>
/// <param name="RedeemedAt">When it was first exchanged.</param>
/// <param name="ExpiresAt">The token's <c>exp</c> plus the clock skew Mandate allows.</param>
internal sealed record RedeemedPlatformToken(string Issuer, string JtiHash, string SpiffeId, DateTimeOffset RedeemedAt, DateTimeOffset ExpiresAt);
