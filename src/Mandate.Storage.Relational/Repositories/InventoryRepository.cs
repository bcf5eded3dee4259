using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Mandate.Core.Governance.Inventory;

namespace Mandate.Storage.Relational.Repositories;

[Repository(typeof(IInventoryRepository))]
internal sealed class InventoryRepository(RelationalSession session) : IInventoryRepository
{
    private const int InListSize = 500;
    private const string Columns = "source, external_id, kind, owner, purpose, status, created_at, expires_at, labels";
    private const string CredentialColumns = "source, external_id, slot, credential_id, kind, active, created_at, last_rotated_at, last_used_at, last_used_region, last_used_service, expires_at, fingerprint";

    public async Task<IReadOnlyDictionary<(string Source, string ExternalId), InventoryEntry>> GetManyAsync(IReadOnlyCollection<(string Source, string ExternalId)> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var found = new Dictionary<(string, string), InventoryEntry>();
        foreach (var group in keys.GroupBy(k => k.Source, StringComparer.Ordinal))
        {
            foreach (var chunk in group.Select(k => k.ExternalId).Distinct(StringComparer.Ordinal).Chunk(InListSize))
            {
                var parameters = new List<(string, object?)> { ("@s", group.Key) };
                var names = new StringBuilder();
                for (var i = 0; i < chunk.Length; i++)
                {
                    names.Append(i == 0 ? "@e" : ", @e").Append(i.ToString(CultureInfo.InvariantCulture));
                    parameters.Add(("@e" + i.ToString(CultureInfo.InvariantCulture), chunk[i]));
                }

                var where = $"source = @s AND external_id IN ({names})";
                foreach (var entry in await ReadAsync($"SELECT {Columns} FROM inventory_identities WHERE {where}", $"SELECT {CredentialColumns} FROM inventory_credentials WHERE {where}", [.. parameters], cancellationToken).ConfigureAwait(false))
                {
                    found[(entry.Source, entry.ExternalId)] = entry;
                }
            }
        }

        return found;
    }

    public async Task UpsertAsync(IReadOnlyList<InventoryEntry> entries, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);

        // One command of each kind, re-bound per row: the batch is one transaction of prepared statements.
        var upsert = session.Command(
            $"""
            INSERT INTO inventory_identities ({Columns}, imported_at, updated_at)
            VALUES (@source, @id, @kind, @owner, @purpose, @status, @created, @expires, @labels, @now, @now)
            ON CONFLICT (source, external_id) DO UPDATE SET kind = excluded.kind, owner = excluded.owner,
              purpose = excluded.purpose, status = excluded.status, created_at = excluded.created_at,
              expires_at = excluded.expires_at, labels = excluded.labels, updated_at = excluded.updated_at
            """,
            ("@source", null), ("@id", null), ("@kind", null), ("@owner", null), ("@purpose", null), ("@status", null),
            ("@created", null), ("@expires", null), ("@labels", null), ("@now", now.ToUnixTimeMilliseconds()));
        await using var upsertDisposal = upsert.ConfigureAwait(false);
        var clear = session.Command("DELETE FROM inventory_credentials WHERE source = @source AND external_id = @id", ("@source", null), ("@id", null));
        await using var clearDisposal = clear.ConfigureAwait(false);
        var insert = session.Command(
            $"""
            INSERT INTO inventory_credentials ({CredentialColumns})
            VALUES (@source, @id, @slot, @cid, @kind, @active, @created, @rotated, @used, @region, @service, @expires, @fingerprint)
            """,
            ("@source", null), ("@id", null), ("@slot", null), ("@cid", null), ("@kind", null), ("@active", null), ("@created", null),
            ("@rotated", null), ("@used", null), ("@region", null), ("@service", null), ("@expires", null), ("@fingerprint", null));
        await using var insertDisposal = insert.ConfigureAwait(false);

        foreach (var entry in entries)
        {
            Bind(upsert, "@source", entry.Source);
            Bind(upsert, "@id", entry.ExternalId);
            Bind(upsert, "@kind", entry.Kind);
            Bind(upsert, "@owner", entry.Owner);
            Bind(upsert, "@purpose", entry.Purpose);
            Bind(upsert, "@status", entry.Status);
            Bind(upsert, "@created", entry.CreatedAt?.ToUnixTimeMilliseconds());
            Bind(upsert, "@expires", entry.ExpiresAt?.ToUnixTimeMilliseconds());
            Bind(upsert, "@labels", JsonSerializer.Serialize(entry.Labels));
            await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);

            Bind(clear, "@source", entry.Source);
            Bind(clear, "@id", entry.ExternalId);
            await clear.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);

            foreach (var c in entry.Credentials)
            {
                Bind(insert, "@source", entry.Source);
                Bind(insert, "@id", entry.ExternalId);
                Bind(insert, "@slot", c.Slot);
                Bind(insert, "@cid", c.CredentialId);
                Bind(insert, "@kind", c.Kind);
                Bind(insert, "@active", c.Active ? 1L : 0L);
                Bind(insert, "@created", c.CreatedAt?.ToUnixTimeMilliseconds());
                Bind(insert, "@rotated", c.LastRotatedAt?.ToUnixTimeMilliseconds());
                Bind(insert, "@used", c.LastUsedAt?.ToUnixTimeMilliseconds());
                Bind(insert, "@region", c.LastUsedRegion);
                Bind(insert, "@service", c.LastUsedService);
                Bind(insert, "@expires", c.ExpiresAt?.ToUnixTimeMilliseconds());
                Bind(insert, "@fingerprint", c.Fingerprint);
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async Task<IReadOnlyList<InventoryEntry>> ListAsync(InventoryQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var where = new StringBuilder("1 = 1");
        var parameters = new List<(string, object?)>();
        if (query.Source is { } source)
        {
            where.Append(" AND source = @source");
            parameters.Add(("@source", source));
        }

        if (query.Owner is { } owner)
        {
            where.Append(" AND owner = @owner");
            parameters.Add(("@owner", owner));
        }

        if (query.Kind is { } kind)
        {
            where.Append(" AND kind = @kind");
            parameters.Add(("@kind", kind));
        }

        if (query.Prefix is { Length: > 0 } prefix)
        {
            // A range, not LIKE: prefixes may hold '%' or '_'.
            where.Append(" AND external_id >= @prefix AND external_id < @prefixEnd");
            parameters.Add(("@prefix", prefix));
            parameters.Add(("@prefixEnd", prefix + "\uffff"));
        }

        if (query.After is { } after)
        {
            where.Append(" AND (source > @afterSource OR (source = @afterSource AND external_id > @afterId))");
            parameters.Add(("@afterSource", after.Source));
            parameters.Add(("@afterId", after.ExternalId));
        }

        parameters.Add(("@limit", (long)Math.Clamp(query.Limit, 1, 100_000)));
        var page = $"SELECT {Columns} FROM inventory_identities WHERE {where} ORDER BY source, external_id LIMIT @limit";
        var credentials = $"SELECT {CredentialColumns} FROM inventory_credentials c WHERE EXISTS (SELECT 1 FROM ({page}) p WHERE p.source = c.source AND p.external_id = c.external_id)";
        var list = await ReadAsync(page, credentials, [.. parameters], cancellationToken).ConfigureAwait(false);
        return [.. list.OrderBy(e => e.Source, StringComparer.Ordinal).ThenBy(e => e.ExternalId, StringComparer.Ordinal)];
    }

    public async Task<IReadOnlyList<InventoryCredentialHolder>> FindByCredentialIdsAsync(IReadOnlyCollection<string> credentialIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credentialIds);
        var found = new List<InventoryCredentialHolder>();
        foreach (var chunk in credentialIds.Distinct(StringComparer.Ordinal).Chunk(InListSize))
        {
            var parameters = new List<(string, object?)>();
            var names = new StringBuilder();
            for (var i = 0; i < chunk.Length; i++)
            {
                names.Append(i == 0 ? "@c" : ", @c").Append(i.ToString(CultureInfo.InvariantCulture));
                parameters.Add(("@c" + i.ToString(CultureInfo.InvariantCulture), chunk[i]));
            }

            var command = session.Command(
                $"""
                SELECT c.source, c.external_id, i.owner, c.credential_id FROM inventory_credentials c
                JOIN inventory_identities i ON i.source = c.source AND i.external_id = c.external_id
                WHERE c.credential_id IN ({names})
                """,
                [.. parameters]);
            await using (command.ConfigureAwait(false))
            {
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        found.Add(new InventoryCredentialHolder(reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3)));
                    }
                }
            }
        }

        return found;
    }

    public async Task<IReadOnlyList<InventoryEntry>> ReadAllAsync(CancellationToken cancellationToken) =>
        await ReadAsync($"SELECT {Columns} FROM inventory_identities", $"SELECT {CredentialColumns} FROM inventory_credentials", [], cancellationToken).ConfigureAwait(false);

    // Credentials first, grouped by identity, so each identity is made once, with its credentials, in the order the
    // identity query gives (a recompute reads every identity: no second copy of each, no boxing of the times).
    private async Task<List<InventoryEntry>> ReadAsync(string identitySql, string credentialSql, (string, object?)[] parameters, CancellationToken cancellationToken)
    {
        var credentials = new Dictionary<(string, string), List<InventoryCredential>>();
        var credentialCommand = session.Command(credentialSql, parameters);
        await using (credentialCommand.ConfigureAwait(false))
        {
            var reader = await credentialCommand.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var key = (reader.GetString(0), reader.GetString(1));
                    if (!credentials.TryGetValue(key, out var list))
                    {
                        credentials[key] = list = new List<InventoryCredential>(2);
                    }

                    list.Add(new InventoryCredential
                    {
                        Slot = reader.GetString(2),
                        CredentialId = reader.IsDBNull(3) ? null : reader.GetString(3),
                        Kind = reader.GetString(4),
                        Active = reader.GetInt64(5) != 0,
                        CreatedAt = Time(reader, 6),
                        LastRotatedAt = Time(reader, 7),
                        LastUsedAt = Time(reader, 8),
                        LastUsedRegion = reader.IsDBNull(9) ? null : reader.GetString(9),
                        LastUsedService = reader.IsDBNull(10) ? null : reader.GetString(10),
                        ExpiresAt = Time(reader, 11),
                        Fingerprint = reader.IsDBNull(12) ? null : reader.GetString(12),
                    });
                }
            }
        }

        var entries = new List<InventoryEntry>();
        var command = session.Command(identitySql, parameters);
        await using (command.ConfigureAwait(false))
        {
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var key = (reader.GetString(0), reader.GetString(1));
                    IReadOnlyList<InventoryCredential> held = [];
                    if (credentials.TryGetValue(key, out var list))
                    {
                        // Slots are unique per identity (the key), so the unstable sort gives the one order.
                        list.Sort(static (a, b) => string.CompareOrdinal(a.Slot, b.Slot));
                        held = list;
                    }

                    entries.Add(new InventoryEntry
                    {
                        Source = key.Item1,
                        ExternalId = key.Item2,
                        Kind = reader.GetString(2),
                        Owner = reader.IsDBNull(3) ? null : reader.GetString(3),
                        Purpose = reader.IsDBNull(4) ? null : reader.GetString(4),
                        Status = reader.GetString(5),
                        CreatedAt = Time(reader, 6),
                        ExpiresAt = Time(reader, 7),
                        Labels = Labels(reader.GetString(8)),
                        Credentials = held,
                    });
                }
            }
        }

        return entries;
    }

    // Most identities have no labels: "{}" is read without the JSON reader (a recompute reads every identity), into
    // the same empty dictionary the reader would give.
    private static SortedDictionary<string, string> Labels(string json) =>
        json == "{}" ? new SortedDictionary<string, string>() : JsonSerializer.Deserialize<SortedDictionary<string, string>>(json) ?? new SortedDictionary<string, string>(StringComparer.Ordinal);

    private static void Bind(DbCommand command, string name, object? value) => command.Parameters[name].Value = value ?? DBNull.Value;

    private static DateTimeOffset? Time(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));
}
