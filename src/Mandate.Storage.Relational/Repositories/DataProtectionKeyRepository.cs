using Mandate.Core.Storage;

namespace Mandate.Storage.Relational.Repositories;

[Repository(typeof(IDataProtectionKeyRepository))]
internal sealed class DataProtectionKeyRepository(RelationalSession session) : IDataProtectionKeyRepository
{
    public async Task<IReadOnlyList<(string Name, string Value)>> ListAsync(CancellationToken cancellationToken)
    {
        var list = new List<(string, string)>();
        var command = session.Command("SELECT name, value FROM data_protection_keys ORDER BY created_at, name");
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add((reader.GetString(0), reader.GetString(1)));
        }

        return list;
    }

    public Task AddAsync(string name, string value, DateTimeOffset now, CancellationToken cancellationToken) =>
        session.ExecuteAsync(
            "INSERT INTO data_protection_keys (name, value, created_at) VALUES (@n, @v, @t) ON CONFLICT (name) DO NOTHING",
            cancellationToken,
            ("@n", name),
            ("@v", value),
            ("@t", now.ToUnixTimeMilliseconds()));
}
