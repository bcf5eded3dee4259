using Mandate.Core.Identity.Keys;
using Mandate.Core.Storage;

namespace Mandate.Storage.Relational.Repositories;

[Repository(typeof(IKeyRepository))]
internal sealed class IdentityKeyRepository(RelationalSession session) : IKeyRepository
{
    public async Task<IReadOnlyList<StoredKey>> ListAsync(CancellationToken cancellationToken)
    {
        var command = session.Command(
            "SELECT kid, purpose, algorithm, public_jwk, private_key, certificate, created_at, activates_at, retires_at, publish_until FROM identity_keys ORDER BY created_at, kid");
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        var keys = new List<StoredKey>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            keys.Add(new StoredKey(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3),
                (byte[])reader.GetValue(4),
                reader.IsDBNull(5) ? null : (byte[])reader.GetValue(5),
                Time(reader.GetInt64(6)),
                Time(reader.GetInt64(7)),
                reader.IsDBNull(8) ? null : Time(reader.GetInt64(8)),
                reader.IsDBNull(9) ? null : Time(reader.GetInt64(9))));
        }

        return keys;
    }

    public async Task InsertAsync(StoredKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        await session.ExecuteAsync(
            """
            INSERT INTO identity_keys (kid, purpose, algorithm, public_jwk, private_key, certificate, created_at, activates_at, retires_at, publish_until)
            VALUES (@kid, @purpose, @alg, @jwk, @private, @cert, @created, @activates, @retires, @publish)
            """,
            cancellationToken,
            ("@kid", key.Kid),
            ("@purpose", key.Purpose),
            ("@alg", key.Algorithm),
            ("@jwk", key.PublicJwk),
            ("@private", key.EncryptedPrivateKey),
            ("@cert", key.Certificate),
            ("@created", key.CreatedAt.ToUnixTimeMilliseconds()),
            ("@activates", key.ActivatesAt.ToUnixTimeMilliseconds()),
            ("@retires", key.RetiresAt?.ToUnixTimeMilliseconds()),
            ("@publish", key.PublishUntil?.ToUnixTimeMilliseconds())).ConfigureAwait(false);
        await AnnounceAsync(key.Kid, cancellationToken).ConfigureAwait(false);
    }

    public async Task ScheduleRetirementAsync(string kid, DateTimeOffset retiresAt, DateTimeOffset publishUntil, CancellationToken cancellationToken)
    {
        await session.ExecuteAsync(
            "UPDATE identity_keys SET retires_at = @retires, publish_until = @publish WHERE kid = @kid",
            cancellationToken,
            ("@kid", kid),
            ("@retires", retiresAt.ToUnixTimeMilliseconds()),
            ("@publish", publishUntil.ToUnixTimeMilliseconds())).ConfigureAwait(false);
        await AnnounceAsync(kid, cancellationToken).ConfigureAwait(false);
    }

    // Delivered at commit, so other nodes reload their key ring as soon as a rotation is stored (a kid is short).
    private async Task AnnounceAsync(string kid, CancellationToken cancellationToken)
    {
        if (session.Dialect.Kind == "postgres")
        {
            await session.ExecuteAsync("SELECT pg_notify(@prefix || current_schema(), @kid)", cancellationToken, ("@prefix", StoreChannels.Keys), ("@kid", kid)).ConfigureAwait(false);
        }
    }

    public Task LockAsync(CancellationToken cancellationToken) => session.SerializeAsync("identity_keys", cancellationToken);

    private static DateTimeOffset Time(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
}
