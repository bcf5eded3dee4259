namespace Mandate.Core.Credentials;

/// <summary>
/// Verifies a credential Mandate issued (task credential, exchanged token, JWT-SVID): signature with the key ring,
/// pinned algorithm, issuer, <c>exp</c>/<c>nbf</c>, revocation of the credential and of every credential it was
/// derived from (in memory), proof of possession when the credential is bound, and records the use.
/// A revoked or expired credential presented again raises a <c>detection.token_reuse</c> audit event.
/// </summary>
internal interface ICredentialVerifier
{
    /// <summary>Verifies a bare token. A credential bound to a key (<c>cnf</c>) fails here: use the presentation overload with its proof.</summary>
    ValueTask<CredentialVerification> VerifyAsync(string token, CancellationToken ct);

    /// <summary>Verifies a token together with its proof of possession and where it was presented.</summary>
    ValueTask<CredentialVerification> VerifyAsync(CredentialPresentation presentation, CancellationToken ct);
}
