namespace Mandate.Core.Detection.SharedSignals;

/// <summary>Persistence of the Shared Signals transmitter (its key, streams, subjects) and receiver (SETs seen).</summary>
internal interface ISsfRepository
{
    /// <summary>Every signing key (kid, public JWK JSON, encrypted PKCS#8 as base64), oldest first.</summary>
    Task<IReadOnlyList<(string Kid, string PublicJwk, string PrivateKey)>> ListKeysAsync(CancellationToken cancellationToken);

    Task AddKeyAsync(string kid, string publicJwk, string privateKey, DateTimeOffset createdAt, CancellationToken cancellationToken);

    Task AddStreamAsync(SsfStream stream, CancellationToken cancellationToken);

    Task<SsfStream?> GetStreamAsync(string id, CancellationToken cancellationToken);

    Task<IReadOnlyList<SsfStream>> ListStreamsAsync(CancellationToken cancellationToken);

    Task UpdateStreamAsync(SsfStream stream, CancellationToken cancellationToken);

    /// <summary>Deletes a stream and its subjects; false when there was none.</summary>
    Task<bool> DeleteStreamAsync(string id, CancellationToken cancellationToken);

    /// <summary>Records a subject as added (<paramref name="included"/>) or removed for a stream.</summary>
    Task SetSubjectAsync(string streamId, string subjectKey, string subjectJson, bool included, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The subjects removed from each stream (by canonical key).</summary>
    Task<IReadOnlyDictionary<string, IReadOnlySet<string>>> ListExcludedSubjectsAsync(CancellationToken cancellationToken);

    /// <summary>Remembers a received SET's jti; false when this issuer's jti was seen already (a replay).</summary>
    Task<bool> TryRememberAsync(string issuer, string jti, DateTimeOffset now, DateTimeOffset keepUntil, CancellationToken cancellationToken);

    /// <summary>Forgets one received jti (the SET was not acted on).</summary>
    Task ForgetAsync(string issuer, string jti, CancellationToken cancellationToken);

    /// <summary>Forgets received jtis whose keep-until has passed.</summary>
    Task ForgetExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
