namespace Mandate.Core.Operators;

/// <summary>
/// An OIDC ID token already exchanged for an operator session, named by its issuer and a hash
/// (<see cref="OperatorSignIn.RedemptionKey"/>), kept until <paramref name="ExpiresAt"/>, after which the token itself
/// is refused anyway.
/// </summary>
/// <param name="Issuer">The ID token's <c>iss</c> (the configured provider).</param>
/// <param name="TokenHash">Lower-case hex SHA-256 of <c>jti:</c> and the token's jti, or of <c>token:</c> and the whole token when it has none.</param>
/// <param name="OperatorName">The operator the session was opened for.</param>
/// <param name="RedeemedAt">When it was used.</param>
/// <param name="ExpiresAt">The end of the window in which the token could be accepted (exp or iat plus the maximum age, plus the skew).</param>
internal sealed record RedeemedIdToken(string Issuer, string TokenHash, string OperatorName, DateTimeOffset RedeemedAt, DateTimeOffset ExpiresAt);
