using System.Data.Common;
using Mandate.Core.Decisions;

namespace Mandate.Storage.Relational.Repositories;

[Repository(typeof(IPepCredentialRepository))]
internal sealed class PepCredentialRepository(RelationalSession session) : IPepCredentialRepository
{
    private const string Columns = "id, name, token_hash, created_at, created_by, expires_at, revoked_at, revoked_by, revoked_reason";

    public Task InsertAsync(StoredPepCredential credential, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credential);
        return session.ExecuteAsync(
            $"INSERT INTO pep_credentials ({Columns}) VALUES (@id, @name, @hash, @created, @by, @expires, NULL, NULL, NULL)",
            cancellationToken,
            ("@id", credential.Id),
            ("@name", credential.Name),
            ("@hash", credential.TokenHash),
            ("@created", credential.CreatedAt.ToUnixTimeMilliseconds()),
            ("@by", credential.CreatedBy),
            ("@expires", credential.ExpiresAt?.ToUnixTimeMilliseconds()));
    }

    public Task<StoredPepCredential?> FindByHashAsync(string tokenHash, CancellationToken cancellationToken) =>
        SingleAsync($"SELECT {Columns} FROM pep_credentials WHERE token_hash = @v", tokenHash, cancellationToken);

    public Task<StoredPepCredential?> GetAsync(string id, CancellationToken cancellationToken) =>
        SingleAsync($"SELECT {Columns} FROM pep_credentials WHERE id = @v", id, cancellationToken);

    public async Task<IReadOnlyList<StoredPepCredential>> ListAsync(CancellationToken cancellationToken)
    {
        var command = session.Command($"SELECT {Columns} FROM pep_credentials ORDER BY created_at DESC, id");
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        var list = new List<StoredPepCredential>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(Read(reader));
        }

        return list;
    }

    public async Task<bool> RevokeAsync(string id, DateTimeOffset now, string revokedBy, string? reason, CancellationToken cancellationToken) =>
        await session.ExecuteAsync(
            "UPDATE pep_credentials SET revoked_at = @now, revoked_by = @by, revoked_reason = @reason WHERE id = @id AND revoked_at IS NULL",
            cancellationToken,
            ("@id", id),
            ("@now", now.ToUnixTimeMilliseconds()),
            ("@by", revokedBy),
            ("@reason", reason)).ConfigureAwait(false) == 1;

    private async Task<StoredPepCredential?> SingleAsync(string sql, string value, CancellationToken cancellationToken)
    {
        var command = session.Command(sql, ("@v", value));
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader) : null;
    }

    private static StoredPepCredential Read(DbDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Name = reader.GetString(1),
        TokenHash = reader.GetString(2),
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
        CreatedBy = reader.GetString(4),
        ExpiresAt = reader.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
        RevokedAt = reader.IsDBNull(6) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
        RevokedBy = reader.IsDBNull(7) ? null : reader.GetString(7),
        RevokedReason = reader.IsDBNull(8) ? null : reader.GetString(8),
    };
}
