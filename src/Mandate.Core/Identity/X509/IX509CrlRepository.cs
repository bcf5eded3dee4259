namespace Mandate.Core.Identity.X509;

/// <summary>What the X.509-SVID CRL is built from: the revoked, unexpired X.509-SVIDs and the CRL number sequence.</summary>
internal interface IX509CrlRepository
{
    /// <summary>X.509-SVIDs revoked and not expired at <paramref name="now"/>, ordered by serial.</summary>
    Task<IReadOnlyList<RevokedX509Serial>> ListRevokedAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The <c>jti</c>s of <paramref name="spiffeId"/>'s X.509-SVIDs neither revoked nor expired at <paramref name="now"/>.</summary>
    Task<IReadOnlyList<string>> ListLiveJtisAsync(string spiffeId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// The <c>jti</c>s of credentials other than X.509-SVIDs, not revoked yet, bound to a certificate with one of these
    /// SHA-256 thumbprints (<c>cnf.x5t#S256</c>, base64url): what falls with the X.509-SVID they were bound to.
    /// </summary>
    Task<IReadOnlyList<string>> ListBoundJtisAsync(IReadOnlyCollection<string> thumbprints, CancellationToken cancellationToken);

    /// <summary>The next CRL number: shared by every node on the store, so it only grows.</summary>
    Task<long> NextCrlNumberAsync(CancellationToken cancellationToken);
}
