using System.Globalization;
using Mandate.Core.Credentials;

namespace Mandate.Storage.Relational.Repositories;

[Repository(typeof(IRevocationLogRepository))]
internal sealed class RevocationLogRepository(RelationalSession session) : IRevocationLogRepository
{
    public Task AppendAsync(RevocationEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return session.ExecuteAsync(
            "INSERT INTO revocations (id, target_kind, target, reason, revoked_by, revoked_at, credential_count) VALUES (@id, @kind, @target, @reason, @by, @at, @count)",
            cancellationToken,
            ("@id", entry.Id),
            ("@kind", entry.TargetKind),
            ("@target", entry.Target),
            ("@reason", entry.Reason),
            ("@by", entry.RevokedBy),
            ("@at", entry.RevokedAt.ToUnixTimeMilliseconds()),
            ("@count", entry.CredentialCount));
    }

    public async Task<IReadOnlyList<RevocationEntry>> ListAsync(int limit, CancellationToken cancellationToken)
    {
        var command = session.Command(
            "SELECT id, target_kind, target, reason, revoked_by, revoked_at, credential_count FROM revocations ORDER BY revoked_at DESC, id LIMIT @limit",
            ("@limit", (long)limit));
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        var result = new List<RevocationEntry>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(new RevocationEntry(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetString(4),
                DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(reader.GetValue(5), CultureInfo.InvariantCulture)),
                Convert.ToInt32(reader.GetValue(6), CultureInfo.InvariantCulture)));
        }

        return result;
    }
}
