using Mandate.Core.Operators;

namespace Mandate.Storage.Relational.Repositories;

[Repository(typeof(IRedeemedIdTokenRepository))]
internal sealed class RedeemedIdTokenRepository(RelationalSession session) : IRedeemedIdTokenRepository
{
    public async Task<bool> TryRecordAsync(RedeemedIdToken token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);

        // One statement is the single-use guarantee: the primary key makes concurrent inserts of the same token
        // conflict (PostgreSQL waits for the first to commit; SQLite writers are serialized), and only a row whose
        // token can no longer be accepted may be replaced (its purge had not run yet).
        var changed = await session.ExecuteAsync(
            """
            INSERT INTO operator_redeemed_id_tokens (issuer, token_hash, operator_name, redeemed_at, expires_at)
            VALUES (@issuer, @hash, @name, @at, @expires)
            ON CONFLICT (issuer, token_hash) DO UPDATE
              SET operator_name = excluded.operator_name, redeemed_at = excluded.redeemed_at, expires_at = excluded.expires_at
              WHERE operator_redeemed_id_tokens.expires_at <= excluded.redeemed_at
            """,
            cancellationToken,
            ("@issuer", token.Issuer),
            ("@hash", token.TokenHash),
            ("@name", token.OperatorName),
            ("@at", token.RedeemedAt.ToUnixTimeMilliseconds()),
            ("@expires", token.ExpiresAt.ToUnixTimeMilliseconds())).ConfigureAwait(false);
        return changed == 1;
    }

    public Task<int> PurgeExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        session.ExecuteAsync("DELETE FROM operator_redeemed_id_tokens WHERE expires_at <= @now", cancellationToken, ("@now", now.ToUnixTimeMilliseconds()));
}
