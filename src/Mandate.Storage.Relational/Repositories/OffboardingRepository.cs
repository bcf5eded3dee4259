using Mandate.Core.Governance.Offboarding;

namespace Mandate.Storage.Relational.Repositories;

[Repository(typeof(IOffboardingRepository))]
internal sealed class OffboardingRepository(RelationalSession session) : IOffboardingRepository
{
    public async Task<DepartedOwner?> GetDepartedAsync(string owner, CancellationToken cancellationToken)
    {
        var command = session.Command("SELECT owner, departed_at, departed_by, reason, offboarding_id FROM departed_owners WHERE owner = @owner", ("@owner", owner));
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new DepartedOwner(reader.GetString(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)), reader.GetString(2), reader.GetString(3), reader.GetString(4))
            : null;
    }

    public async Task<IReadOnlyList<DepartedOwner>> GetDepartedAsync(IReadOnlyCollection<string> owners, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(owners);
        var result = new List<DepartedOwner>();
        foreach (var chunk in owners.Distinct(StringComparer.Ordinal).Chunk(500))
        {
            var names = chunk.Select((_, i) => "@o" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
            var command = session.Command(
                $"SELECT owner, departed_at, departed_by, reason, offboarding_id FROM departed_owners WHERE owner IN ({string.Join(", ", names)})",
                [.. chunk.Select((owner, i) => (names[i], (object?)owner))]);
            await using var commandDisposal = command.ConfigureAwait(false);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerDisposal = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                result.Add(new DepartedOwner(reader.GetString(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)), reader.GetString(2), reader.GetString(3), reader.GetString(4)));
            }
        }

        return result;
    }

    public async Task<bool> MarkDepartedAsync(DepartedOwner departed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(departed);
        return await session.ExecuteAsync(
            "INSERT INTO departed_owners (owner, departed_at, departed_by, reason, offboarding_id) VALUES (@owner, @at, @by, @reason, @id) ON CONFLICT (owner) DO NOTHING",
            cancellationToken,
            ("@owner", departed.Owner), ("@at", departed.DepartedAt.ToUnixTimeMilliseconds()), ("@by", departed.DepartedBy), ("@reason", departed.Reason), ("@id", departed.OffboardingId)).ConfigureAwait(false) == 1;
    }

    public async Task<bool> TransferAsync(string spiffeId, string from, string to, DateTimeOffset now, CancellationToken cancellationToken) =>
        await session.ExecuteAsync(
            "UPDATE identities SET owner = @to, updated_at = @now WHERE spiffe_id = @id AND owner = @from",
            cancellationToken,
            ("@to", to), ("@now", now.ToUnixTimeMilliseconds()), ("@id", spiffeId), ("@from", from)).ConfigureAwait(false) == 1;

    // A join token is redeemable while unused and unexpired: marking it used at the offboarding ends it.
    public Task<int> EndJoinTokensAsync(string spiffeId, DateTimeOffset now, CancellationToken cancellationToken) =>
        session.ExecuteAsync(
            "UPDATE identity_join_tokens SET used_at = @now WHERE spiffe_id = @id AND used_at IS NULL AND expires_at > @now",
            cancellationToken,
            ("@now", now.ToUnixTimeMilliseconds()), ("@id", spiffeId));

    public Task InsertAsync(OffboardingRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        return session.ExecuteAsync(
            "INSERT INTO offboardings (id, owner, created_at, created_by, evidence) VALUES (@id, @owner, @at, @by, @evidence)",
            cancellationToken,
            ("@id", record.Id), ("@owner", record.Owner), ("@at", record.CreatedAt.ToUnixTimeMilliseconds()), ("@by", record.CreatedBy), ("@evidence", record.Evidence));
    }

    public async Task<OffboardingRecord?> GetAsync(string id, CancellationToken cancellationToken) =>
        (await ReadAsync("SELECT id, owner, created_at, created_by, evidence FROM offboardings WHERE id = @id", cancellationToken, ("@id", id)).ConfigureAwait(false)).FirstOrDefault();

    public Task<IReadOnlyList<OffboardingRecord>> ListAsync(int limit, CancellationToken cancellationToken) =>
        ReadAsync("SELECT id, owner, created_at, created_by, evidence FROM offboardings ORDER BY created_at DESC, id DESC LIMIT @limit", cancellationToken, ("@limit", (long)limit));

    private async Task<IReadOnlyList<OffboardingRecord>> ReadAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var command = session.Command(sql, parameters);
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        var list = new List<OffboardingRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(new OffboardingRecord(reader.GetString(0), reader.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)), reader.GetString(3), reader.GetString(4)));
        }

        return list;
    }
}
