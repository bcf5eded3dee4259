using System.Data.Common;
using System.Text;
using System.Text.Json;
using Mandate.Core.Identity.Inventory;
using Mandate.Core.Storage;

namespace Mandate.Storage.Relational.Repositories;

[Repository(typeof(IIdentityRepository))]
internal sealed class IdentityRepository(RelationalSession session) : IIdentityRepository
{
    private const string Columns = "spiffe_id, kind, owner, purpose, environment, status, status_reason, labels, created_at, expires_at, updated_at";

    public async Task<WorkloadIdentity?> GetAsync(string spiffeId, CancellationToken cancellationToken)
    {
        var command = session.Command($"SELECT {Columns} FROM identities WHERE spiffe_id = @id", ("@id", spiffeId));
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader) : null;
    }

    public async Task NotifyChangedAsync(string spiffeId, CancellationToken cancellationToken)
    {
        if (session.Dialect.Kind != "postgres")
        {
            return;
        }

        // Delivered at commit; a SPIFFE ID is at most 2048 bytes, well inside PostgreSQL's payload limit.
        await session.ExecuteAsync("SELECT pg_notify(@prefix || current_schema(), @id)", cancellationToken, ("@prefix", StoreChannels.Identities), ("@id", spiffeId)).ConfigureAwait(false);
    }

    public async Task<bool> InsertAsync(WorkloadIdentity identity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var inserted = await session.ExecuteAsync(
            $"""
            INSERT INTO identities ({Columns})
            VALUES (@id, @kind, @owner, @purpose, @env, @status, @reason, @labels, @created, @expires, @updated)
            ON CONFLICT (spiffe_id) DO NOTHING
            """,
            cancellationToken,
            ("@id", identity.SpiffeId),
            ("@kind", NhiKinds.Name(identity.Kind)),
            ("@owner", identity.Owner),
            ("@purpose", identity.Purpose),
            ("@env", identity.Environment),
            ("@status", IdentityStatuses.Name(identity.Status)),
            ("@reason", identity.StatusReason),
            ("@labels", JsonSerializer.Serialize(identity.Labels)),
            ("@created", identity.CreatedAt.ToUnixTimeMilliseconds()),
            ("@expires", identity.ExpiresAt.ToUnixTimeMilliseconds()),
            ("@updated", identity.UpdatedAt.ToUnixTimeMilliseconds())).ConfigureAwait(false);
        if (inserted == 0)
        {
            return false;
        }

        foreach (var (key, value) in identity.Labels)
        {
            await session.ExecuteAsync(
                "INSERT INTO identity_labels (spiffe_id, label_key, label_value) VALUES (@id, @k, @v)",
                cancellationToken,
                ("@id", identity.SpiffeId),
                ("@k", key),
                ("@v", value)).ConfigureAwait(false);
        }

        return true;
    }

    public async Task<bool> UpdateStatusAsync(string spiffeId, IdentityStatus expected, IdentityStatus status, string? reason, DateTimeOffset now, CancellationToken cancellationToken) =>
        // Compare-and-set: on PostgreSQL (READ COMMITTED) two transactions may both have read the old status; the
        // second UPDATE re-checks the condition on the row the first committed and matches nothing.
        await session.ExecuteAsync(
            "UPDATE identities SET status = @status, status_reason = @reason, updated_at = @now WHERE spiffe_id = @id AND status = @expected",
            cancellationToken,
            ("@id", spiffeId),
            ("@expected", IdentityStatuses.Name(expected)),
            ("@status", IdentityStatuses.Name(status)),
            ("@reason", reason),
            ("@now", now.ToUnixTimeMilliseconds())).ConfigureAwait(false) == 1;

    public async Task<IReadOnlyList<WorkloadIdentity>> ListAsync(IdentityQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var sql = new StringBuilder($"SELECT {Columns} FROM identities WHERE 1 = 1");
        var parameters = new List<(string, object?)>();
        void Filter(string clause, string name, object? value)
        {
            sql.Append(" AND ").Append(clause);
            parameters.Add((name, value));
        }

        if (query.Owner is not null)
        {
            Filter("owner = @owner", "@owner", query.Owner);
        }

        if (query.Kind is { } kind)
        {
            Filter("kind = @kind", "@kind", NhiKinds.Name(kind));
        }

        if (query.Status is { } status)
        {
            Filter("status = @status", "@status", IdentityStatuses.Name(status));
        }

        if (query.ExpiresAtOrBefore is { } expiredBy)
        {
            Filter("expires_at <= @expiredBy", "@expiredBy", expiredBy.ToUnixTimeMilliseconds());
        }

        if (query.ExpiresAfter is { } liveAfter)
        {
            Filter("expires_at > @liveAfter", "@liveAfter", liveAfter.ToUnixTimeMilliseconds());
        }

        if (query.Environment is not null)
        {
            Filter("environment = @env", "@env", query.Environment);
        }

        if (query.Prefix is not null)
        {
            // substr instead of LIKE: no wildcard escaping, no collation, same meaning on both databases.
            Filter("substr(spiffe_id, 1, CAST(@prefixLength AS INTEGER)) = @prefix", "@prefix", query.Prefix);
            parameters.Add(("@prefixLength", query.Prefix.Length));
        }

        if (query.After is not null)
        {
            Filter(query.Descending ? "spiffe_id < @after" : "spiffe_id > @after", "@after", query.After);
        }

        if (query.Label is { } label)
        {
            sql.Append(" AND EXISTS (SELECT 1 FROM identity_labels l WHERE l.spiffe_id = identities.spiffe_id AND l.label_key = @lk AND l.label_value = @lv)");
            parameters.Add(("@lk", label.Key));
            parameters.Add(("@lv", label.Value));
        }

        sql.Append(query.Descending ? " ORDER BY spiffe_id DESC LIMIT @limit" : " ORDER BY spiffe_id LIMIT @limit");
        parameters.Add(("@limit", (long)Math.Clamp(query.Limit, 1, 1000)));
        var command = session.Command(sql.ToString(), [.. parameters]);
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        var list = new List<WorkloadIdentity>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(Read(reader));
        }

        return list;
    }

    public async Task<IReadOnlyList<IdentityCount>> CountByKindAndStatusAsync(CancellationToken cancellationToken)
    {
        var command = session.Command("SELECT kind, status, COUNT(*) FROM identities GROUP BY kind, status ORDER BY kind, status");
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        var counts = new List<IdentityCount>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (NhiKinds.TryParse(reader.GetString(0), out var kind) && IdentityStatuses.TryParse(reader.GetString(1), out var status))
            {
                counts.Add(new IdentityCount(kind, status, reader.GetInt64(2)));
            }
        }

        return counts;
    }

    private static WorkloadIdentity Read(DbDataReader reader)
    {
        NhiKinds.TryParse(reader.GetString(1), out var kind);
        IdentityStatuses.TryParse(reader.GetString(5), out var status);
        return new WorkloadIdentity
        {
            SpiffeId = reader.GetString(0),
            Kind = kind,
            Owner = reader.GetString(2),
            Purpose = reader.GetString(3),
            Environment = reader.GetString(4),
            Status = status,
            StatusReason = reader.IsDBNull(6) ? null : reader.GetString(6),
            Labels = JsonSerializer.Deserialize<SortedDictionary<string, string>>(reader.GetString(7)) ?? [],
            CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)),
            ExpiresAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(9)),
            UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(10)),
        };
    }
}
