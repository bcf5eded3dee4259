using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Mandate.Core.Audit;

namespace Mandate.Storage.Relational.Repositories;

[Repository(typeof(IAuditRepository))]
internal sealed class AuditRepository(RelationalSession session) : IAuditRepository
{
    private const string ChainLock = "audit_chain";
    private const string Columns = "seq, time_ms, type, actor, subject, action, resource, decision, jti, task_id, request_id, body, prev_hash, hash, chain, policy_version";
    private const int ColumnCount = 16;

    public async Task<AuditRecord?> GetHeadForAppendAsync(CancellationToken cancellationToken)
    {
        // The lock and the head read go in one round trip: this runs once per group-commit batch.
        const string head = "SELECT seq, time_ms, type, prev_hash, hash FROM audit_events ORDER BY seq DESC LIMIT 1";
        var serialize = session.Dialect.SerializeSql(ChainLock);
        var command = session.Command(serialize is null ? head : serialize + ";\n" + head);
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        if (serialize is not null)
        {
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        }

        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new AuditRecord(
            reader.GetInt64(0),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
            new AuditEvent { Type = reader.GetString(2) },
            reader.GetString(3),
            reader.GetString(4));
    }

    public async Task<(long Sequence, string Hash)?> GetHeadAsync(CancellationToken cancellationToken)
    {
        var command = session.Command("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1");
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? (reader.GetInt64(0), reader.GetString(1)) : null;
    }

    public Task AppendAsync(AuditRecord record, string canonicalJson, CancellationToken cancellationToken) =>
        AppendManyAsync([(record, canonicalJson)], cancellationToken);

    public Task AppendManyAsync(IReadOnlyList<(AuditRecord Record, string CanonicalJson)> records, CancellationToken cancellationToken) =>
        InsertAsync(records, null, cancellationToken);

    public async Task<bool> TryAppendOnRememberedHeadAsync(IReadOnlyList<(AuditRecord Record, string CanonicalJson)> records, CancellationToken cancellationToken)
    {
        try
        {
            // The lock rides with the first INSERT; a moved head shows as the first sequence number being taken.
            await InsertAsync(records, session.Dialect.SerializeSql(ChainLock), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DbException ex) when (session.Dialect.IsUniqueViolation(ex))
        {
            return false;
        }
    }

    private async Task InsertAsync(IReadOnlyList<(AuditRecord Record, string CanonicalJson)> records, string? firstStatement, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        var rowsPerInsert = session.Dialect.RowsPerBulkInsert;
        if (rowsPerInsert == 1)
        {
            await InsertEachAsync(records, firstStatement, cancellationToken).ConfigureAwait(false);
            return;
        }

        for (var offset = 0; offset < records.Count; offset += rowsPerInsert)
        {
            var count = Math.Min(rowsPerInsert, records.Count - offset);
            var sql = new StringBuilder();
            if (offset == 0 && firstStatement is not null)
            {
                sql.Append(firstStatement).Append(";\n");
            }

            sql.Append("INSERT INTO audit_events (").Append(Columns).Append(") VALUES ");
            var parameters = new (string Name, object? Value)[count * ColumnCount];
            for (var row = 0; row < count; row++)
            {
                var (record, canonical) = records[offset + row];
                var c = AuditIndexedColumns.From(record.Time, record.Event);
                var prefix = "@r" + row.ToString(CultureInfo.InvariantCulture) + "_";
                sql.Append(row == 0 ? "(" : ",(");
                object?[] values =
                [
                    record.Sequence, c.TimeMilliseconds, c.Type, c.Actor, c.Subject, c.Action, c.Resource,
                    c.Decision, c.CredentialId, c.TaskId, c.RequestId, canonical, record.PreviousHash, record.Hash,
                    c.Chain, c.PolicyVersion,
                ];
                for (var column = 0; column < ColumnCount; column++)
                {
                    var name = prefix + column.ToString(CultureInfo.InvariantCulture);
                    sql.Append(column == 0 ? string.Empty : ",").Append(name);
                    parameters[(row * ColumnCount) + column] = (name, values[column]);
                }

                sql.Append(')');
            }

            await session.ExecuteAsync(sql.ToString(), cancellationToken, parameters).ConfigureAwait(false);
        }
    }

    /// <summary>One prepared single-row statement, re-bound per record (the in-process store's cheapest bulk write).</summary>
    private async Task InsertEachAsync(IReadOnlyList<(AuditRecord Record, string CanonicalJson)> records, string? firstStatement, CancellationToken cancellationToken)
    {
        if (firstStatement is not null)
        {
            await session.ExecuteAsync(firstStatement, cancellationToken).ConfigureAwait(false);
        }

        var names = Enumerable.Range(0, ColumnCount).Select(c => "@c" + c.ToString(CultureInfo.InvariantCulture)).ToArray();
        var command = session.Command(
            "INSERT INTO audit_events (" + Columns + ") VALUES (" + string.Join(',', names) + ")",
            [.. names.Select(n => (n, (object?)null))]);
        await using var commandDisposal = command.ConfigureAwait(false);
        var p = command.Parameters;
        foreach (var (record, canonical) in records)
        {
            // Bound column by column (no array of the row's values per record: this loop runs once per audited decision).
            var c = AuditIndexedColumns.From(record.Time, record.Event);
            p[0].Value = record.Sequence;
            p[1].Value = c.TimeMilliseconds;
            p[2].Value = c.Type ?? (object)DBNull.Value;
            p[3].Value = c.Actor ?? (object)DBNull.Value;
            p[4].Value = c.Subject ?? (object)DBNull.Value;
            p[5].Value = c.Action ?? (object)DBNull.Value;
            p[6].Value = c.Resource ?? (object)DBNull.Value;
            p[7].Value = c.Decision ?? (object)DBNull.Value;
            p[8].Value = c.CredentialId ?? (object)DBNull.Value;
            p[9].Value = c.TaskId ?? (object)DBNull.Value;
            p[10].Value = c.RequestId ?? (object)DBNull.Value;
            p[11].Value = canonical ?? (object)DBNull.Value;
            p[12].Value = record.PreviousHash ?? (object)DBNull.Value;
            p[13].Value = record.Hash ?? (object)DBNull.Value;
            p[14].Value = c.Chain ?? (object)DBNull.Value;
            p[15].Value = c.PolicyVersion ?? (object)DBNull.Value;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public IAsyncEnumerable<StoredAuditRecord> ReadAsync(long fromSequence, CancellationToken cancellationToken) =>
        ReadRangeAsync(fromSequence, long.MaxValue, cancellationToken);

    public async IAsyncEnumerable<StoredAuditRecord> ReadRangeAsync(long fromSequence, long toSequence, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var command = session.Command(
            "SELECT seq, body, prev_hash, hash, time_ms, type, actor, subject, action, resource, decision, jti, task_id, request_id, chain, policy_version FROM audit_events WHERE seq >= @from AND seq <= @to ORDER BY seq",
            ("@from", fromSequence),
            ("@to", toSequence));
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return new StoredAuditRecord(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3))
            {
                Columns = new AuditIndexedColumns(
                    reader.GetInt64(4),
                    reader.GetString(5),
                    Text(reader, 6),
                    Text(reader, 7),
                    Text(reader, 8),
                    Text(reader, 9),
                    Text(reader, 10),
                    Text(reader, 11),
                    Text(reader, 12),
                    Text(reader, 13),
                    Text(reader, 14),
                    Text(reader, 15)),
            };
        }
    }

    public async Task<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var where = new List<string> { "seq > @after" };
        var parameters = new List<(string Name, object? Value)> { ("@after", query.AfterSequence) };
        if (query.Identity is { } identity)
        {
            where.Add("(actor = @identity OR subject = @identity OR chain LIKE @chain ESCAPE '\\')");
            parameters.Add(("@identity", identity));
            parameters.Add(("@chain", "%" + EscapeLike(AuditIndexedColumns.ChainElement(identity)) + "%"));
        }

        Filter(where, parameters, "task_id", "@task", query.TaskId);
        Filter(where, parameters, "jti", "@jti", query.CredentialId);
        Filter(where, parameters, "decision", "@decision", query.Decision);
        if (query.Type is { } type)
        {
            if (type.EndsWith('.'))
            {
                where.Add("type LIKE @type ESCAPE '\\'");
                parameters.Add(("@type", EscapeLike(type) + "%"));
            }
            else
            {
                Filter(where, parameters, "type", "@type", type);
            }
        }

        if (query.Since is { } since)
        {
            where.Add("time_ms >= @since");
            parameters.Add(("@since", since.ToUnixTimeMilliseconds()));
        }

        if (query.Until is { } until)
        {
            where.Add("time_ms < @until");
            parameters.Add(("@until", until.ToUnixTimeMilliseconds()));
        }

        var limit = Math.Clamp(query.Limit, 1, AuditQuery.MaxLimit);
        var sql = $"SELECT seq, body, prev_hash, hash FROM audit_events WHERE {string.Join(" AND ", where)} ORDER BY seq LIMIT {limit.ToString(CultureInfo.InvariantCulture)}";
        var command = session.Command(sql, [.. parameters]);
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        var results = new List<AuditRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var (sequence, time, auditEvent) = AuditCanonicalForm.Parse(reader.GetString(1));
            results.Add(new AuditRecord(reader.GetInt64(0), time, auditEvent, reader.GetString(2), reader.GetString(3)) { Body = reader.GetString(1) });
            _ = sequence;
        }

        return results;
    }

    public async Task<AuditCheckpoint?> GetLastCheckpointAsync(CancellationToken cancellationToken)
    {
        var list = await ReadCheckpointsAsync("ORDER BY to_seq DESC LIMIT 1", cancellationToken).ConfigureAwait(false);
        return list.Count == 0 ? null : list[0];
    }

    public Task<IReadOnlyList<AuditCheckpoint>> ReadCheckpointsAsync(CancellationToken cancellationToken) =>
        ReadCheckpointsAsync("ORDER BY to_seq", cancellationToken);

    public Task AddCheckpointAsync(AuditCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        return session.ExecuteAsync(
            "INSERT INTO audit_checkpoints (from_seq, to_seq, root_hash, chain_hash, time_ms, kid, alg, signature) VALUES (@from, @to, @root, @chain, @time, @kid, @alg, @sig)",
            cancellationToken,
            ("@from", checkpoint.FromSequence),
            ("@to", checkpoint.ToSequence),
            ("@root", checkpoint.RootHash),
            ("@chain", checkpoint.ChainHash),
            ("@time", checkpoint.Time.ToUnixTimeMilliseconds()),
            ("@kid", checkpoint.KeyId),
            ("@alg", checkpoint.Algorithm),
            ("@sig", checkpoint.Signature));
    }

    public async Task<IReadOnlyList<AuditPublicKey>> GetPublicKeysAsync(CancellationToken cancellationToken) =>
        (await GetSigningKeysAsync(cancellationToken).ConfigureAwait(false)).Select(k => k.PublicKey).ToList();

    public async Task<IReadOnlyList<StoredAuditSigningKey>> GetSigningKeysAsync(CancellationToken cancellationToken)
    {
        var command = session.Command("SELECT public_jwk, sealed_private_key, created_at FROM audit_signing_keys ORDER BY created_at DESC, kid");
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        var keys = new List<StoredAuditSigningKey>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            using var jwk = JsonDocument.Parse(reader.GetString(0));
            keys.Add(new StoredAuditSigningKey(
                AuditPublicKey.FromJwk(jwk.RootElement),
                (byte[])reader.GetValue(1),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2))));
        }

        return keys;
    }

    public Task AddSigningKeyAsync(StoredAuditSigningKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        return session.ExecuteAsync(
            "INSERT INTO audit_signing_keys (kid, public_jwk, sealed_private_key, created_at) VALUES (@kid, @jwk, @sealed, @created)",
            cancellationToken,
            ("@kid", key.PublicKey.KeyId),
            ("@jwk", key.PublicKey.ToJwkJson()),
            ("@sealed", key.EncryptedPrivateKey),
            ("@created", key.CreatedAt.ToUnixTimeMilliseconds()));
    }

    public async Task<AuditCheckpoint?> GetCheckpointCoveringAsync(long sequence, CancellationToken cancellationToken)
    {
        // Checkpoints tile the chain without overlap, so the last one starting at or before the event is the only candidate.
        var list = await ReadCheckpointsAsync("WHERE from_seq <= @seq ORDER BY from_seq DESC LIMIT 1", cancellationToken, ("@seq", sequence)).ConfigureAwait(false);
        return list.Count == 1 && list[0].ToSequence >= sequence ? list[0] : null;
    }

    private async Task<IReadOnlyList<AuditCheckpoint>> ReadCheckpointsAsync(string condition, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var command = session.Command("SELECT from_seq, to_seq, root_hash, chain_hash, time_ms, kid, alg, signature FROM audit_checkpoints " + condition, parameters);
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        var checkpoints = new List<AuditCheckpoint>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            checkpoints.Add(new AuditCheckpoint(
                reader.GetInt64(0),
                reader.GetInt64(1),
                reader.GetString(2),
                reader.GetString(3),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
                reader.GetString(5),
                reader.GetString(6),
                reader.GetString(7)));
        }

        return checkpoints;
    }

    private static void Filter(List<string> where, List<(string Name, object? Value)> parameters, string column, string name, string? value)
    {
        if (value is not null)
        {
            where.Add($"{column} = {name}");
            parameters.Add((name, value));
        }
    }

    private static string EscapeLike(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    private static string? Text(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
