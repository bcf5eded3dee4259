using Mandate.Core.Identity.Attestation;

namespace Mandate.Storage.Relational.Repositories;

[Repository(typeof(IJoinTokenRepository))]
internal sealed class JoinTokenRepository(RelationalSession session) : IJoinTokenRepository
{
    public Task InsertAsync(string tokenHash, string spiffeId, DateTimeOffset createdAt, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        session.ExecuteAsync(
            "INSERT INTO identity_join_tokens (token_hash, spiffe_id, created_at, expires_at) VALUES (@h, @id, @c, @e)",
            cancellationToken,
            ("@h", tokenHash),
            ("@id", spiffeId),
            ("@c", createdAt.ToUnixTimeMilliseconds()),
            ("@e", expiresAt.ToUnixTimeMilliseconds()));

    public async Task<string?> ConsumeAsync(string tokenHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // The conditional UPDATE is the single-use guarantee: under concurrency only one transaction changes the row.
        var changed = await session.ExecuteAsync(
            "UPDATE identity_join_tokens SET used_at = @now WHERE token_hash = @h AND used_at IS NULL AND expires_at > @now",
            cancellationToken,
            ("@h", tokenHash),
            ("@now", now.ToUnixTimeMilliseconds())).ConfigureAwait(false);
        if (changed != 1)
        {
            return null;
        }

        return await session.ScalarAsync("SELECT spiffe_id FROM identity_join_tokens WHERE token_hash = @h", cancellationToken, ("@h", tokenHash)).ConfigureAwait(false) as string;
    }
}
