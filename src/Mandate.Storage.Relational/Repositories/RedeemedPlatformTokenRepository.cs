using Mandate.Core.Identity.Attestation;

namespace Mandate.Storage.Relational.Repositories;

[Repository(typeof(IRedeemedPlatformTokenRepository))]
internal sealed class RedeemedPlatformTokenRepository(RelationalSession session) : IRedeemedPlatformTokenRepository
{
    public async Task<bool> TryRecordAsync(RedeemedPlatformToken token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);

        // One statement is the single-use guarantee: the primary key makes concurrent inserts of the same token
        // conflict (PostgreSQL waits for the first to commit; SQLite writers are serialized), and only a row whose
        // token has expired may be replaced, which happens when purging has not run yet.
        var changed = await session.ExecuteAsync(
            """
            INSERT INTO identity_redeemed_platform_tokens (issuer, jti_hash, spiffe_id, redeemed_at, expires_at)
            VALUES (@issuer, @jti, @id, @at, @expires)
            ON CONFLICT (issuer, jti_hash) DO UPDATE
              SET spiffe_id = excluded.spiffe_id, redeemed_at = excluded.redeemed_at, expires_at = excluded.expires_at
              WHERE identity_redeemed_platform_tokens.expires_at <= excluded.redeemed_at
            """,
            cancellationToken,
            ("@issuer", token.Issuer),
            ("@jti", token.JtiHash),
            ("@id", token.SpiffeId),
            ("@at", token.RedeemedAt.ToUnixTimeMilliseconds()),
            ("@expires", token.ExpiresAt.ToUnixTimeMilliseconds())).ConfigureAwait(false);
        return changed == 1;
    }

    public async Task<RedeemedPlatformToken?> GetAsync(string issuer, string jtiHash, CancellationToken cancellationToken)
    {
        var command = session.Command(
            "SELECT issuer, jti_hash, spiffe_id, redeemed_at, expires_at FROM identity_redeemed_platform_tokens WHERE issuer = @issuer AND jti_hash = @jti",
            ("@issuer", issuer),
            ("@jti", jtiHash));
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new RedeemedPlatformToken(
            reader.GetString(0),
            reader.GetString(1),
            reader.GetString(2),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)));
    }

    public Task<int> PurgeExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        session.ExecuteAsync(
            "DELETE FROM identity_redeemed_platform_tokens WHERE expires_at <= @now",
            cancellationToken,
            ("@now", now.ToUnixTimeMilliseconds()));
}
