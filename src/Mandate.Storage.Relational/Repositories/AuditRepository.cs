using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Mandate.Core.Audit;

namespace Mandate.Storage.Relational.Repositories;

/// <summary>
/// The ledger in its compact layout (migration 0320): each event is one <c>audit_log</c> row holding the body's fields
/// once, repeated strings (type, actor, subject, action, delegation chain, policy version) as ids into
/// <c>audit_strings</c>, and its chain hash as 32 bytes. The canonical body is rebuilt from the row when read, and the
/// hash before an event is the stored hash of the row before it; nothing hashed is stored twice.
/// </summary>
[Repository(typeof(IAuditRepository))]
internal sealed class AuditRepository(RelationalSession session) : IAuditRepository
{
    private const string ChainLock = "audit_chain";
    private const string Columns = "seq, time_ms, type_id, actor_id, subject_id, action_id, resource, decision, jti, task_id, request_id, chain_id, policy_version_id, reason, details, hash";
    private const int ColumnCount = 16;

    /// <summary>Values per statement when the dictionary is filled and read (far below every driver's parameter limit).</summary>
    private const int StringsPerStatement = 400;

    /// <summary>A row with every looked-up string joined in; <see cref="ReadRow"/> reads exactly these columns.</summary>
    internal const string RowSelect = """
        SELECT e.seq, e.time_ms, e.type_id, t.value, e.actor_id, a.value, e.subject_id, s.value, e.action_id, x.value,
               e.resource, e.decision, e.jti, e.task_id, e.request_id, e.chain_id, c.value, e.policy_version_id, p.value,
               e.reason, e.details, e.hash
        FROM audit_log e
        LEFT JOIN audit_strings t ON t.id = e.type_id
        LEFT JOIN audit_strings a ON a.id = e.actor_id
        LEFT JOIN audit_strings s ON s.id = e.subject_id
        LEFT JOIN audit_strings x ON x.id = e.action_id
        LEFT JOIN audit_strings c ON c.id = e.chain_id
        LEFT JOIN audit_strings p ON p.id = e.policy_version_id
        """;

    internal const int RowColumns = 22;

    public bool WritersAreSerialized => session.Dialect.SerializeSql(ChainLock) is null;

    public async Task<AuditRecord?> GetHeadForAppendAsync(CancellationToken cancellationToken)
    {
        // The lock and the head read go in one round trip: this runs once per group-commit batch.
        const string head = "SELECT seq, time_ms, hash FROM audit_log ORDER BY seq DESC LIMIT 1";
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

        // Only the position and hash matter to an appender; the event itself is not read back.
        return new AuditRecord(
            reader.GetInt64(0),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
            new AuditEvent { Type = string.Empty },
            string.Empty,
            HashText(reader, 2));
    }

    public async Task<(long Sequence, string Hash)?> GetHeadAsync(CancellationToken cancellationToken)
    {
        var command = session.Command("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? (reader.GetInt64(0), HashText(reader, 1)) : null;
    }

    public Task AppendAsync(AuditRecord record, CancellationToken cancellationToken) =>
        AppendManyAsync([record], cancellationToken);

    public Task AppendManyAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken) =>
        InsertAsync(records, null, cancellationToken);

    public async Task<bool> TryAppendOnRememberedHeadAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
    {
        try
        {
            // The lock goes first; a moved head shows as the first sequence number being taken.
            await InsertAsync(records, session.Dialect.SerializeSql(ChainLock), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DbException ex) when (session.Dialect.IsUniqueViolation(ex))
        {
            return false;
        }
    }

    private async Task InsertAsync(IReadOnlyList<AuditRecord> records, string? firstStatement, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        var rows = new AuditRow[records.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            var record = records[i];
            rows[i] = record.Row ?? AuditRow.From(record.Sequence, record.Time, record.Event);
        }

        // The chain lock (a server store's) comes before anything is written; it rides with the first INSERT unless new
        // lookup strings have to be added first.
        var ids = CachedStringIds(rows, out var missing);
        if (missing is not null)
        {
            if (firstStatement is not null)
            {
                await session.ExecuteAsync(firstStatement, cancellationToken).ConfigureAwait(false);
                firstStatement = null;
            }

            await AddStringIdsAsync(rows, ids, missing, cancellationToken).ConfigureAwait(false);
        }

        var rowsPerInsert = session.Dialect.RowsPerBulkInsert;
        if (rowsPerInsert == 1)
        {
            if (firstStatement is not null)
            {
                await session.ExecuteAsync(firstStatement, cancellationToken).ConfigureAwait(false);
            }

            await InsertEachAsync(records, rows, ids, cancellationToken).ConfigureAwait(false);
            return;
        }

        for (var offset = 0; offset < rows.Length; offset += rowsPerInsert)
        {
            var count = Math.Min(rowsPerInsert, rows.Length - offset);
            var sql = new StringBuilder();
            if (firstStatement is not null)
            {
                sql.Append(firstStatement).Append(";\n");
                firstStatement = null;
            }

            sql.Append("INSERT INTO audit_log (").Append(Columns).Append(") VALUES ");
            var parameters = new (string Name, object? Value)[count * ColumnCount];
            for (var row = 0; row < count; row++)
            {
                var values = Values(rows[offset + row], Convert.FromHexString(records[offset + row].Hash), ids, offset + row);
                var prefix = "@r" + row.ToString(CultureInfo.InvariantCulture) + "_";
                sql.Append(row == 0 ? "(" : ",(");
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

    /// <summary>
    /// One prepared single-row statement bound by position and stepped per record (the in-process store's cheapest bulk
    /// write, <see cref="BulkRowWriter"/>): this loop runs once per audited decision, so a row allocates nothing here.
    /// </summary>
    private async Task InsertEachAsync(IReadOnlyList<AuditRecord> records, AuditRow[] rows, long[] ids, CancellationToken cancellationToken)
    {
        var writer = await session.Dialect.OpenBulkRowWriterAsync(session, "audit_log", Columns, ColumnCount, string.Empty, cancellationToken).ConfigureAwait(false);
        await using var writerDisposal = writer.ConfigureAwait(false);
        for (var i = 0; i < rows.Length; i++)
        {
            Bind(writer, rows[i], records[i].Hash, ids, i * StringColumns);
            await writer.EndRowAsync(cancellationToken).ConfigureAwait(false);
        }

        await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void Bind(BulkRowWriter writer, AuditRow r, string hash, long[] ids, int at)
    {
        writer.Integer(0, r.Sequence);
        writer.Integer(1, r.TimeMilliseconds);
        writer.Integer(2, ids[at + TypeId]);
        writer.Integer(3, IdOrNull(ids, at + ActorId, r.Actor));
        writer.Integer(4, IdOrNull(ids, at + SubjectId, r.Subject));
        writer.Integer(5, IdOrNull(ids, at + ActionId, r.Action));
        writer.Text(6, r.Resource);
        writer.Text(7, r.Decision);
        writer.Text(8, r.CredentialId);
        writer.Text(9, r.TaskId);
        writer.Text(10, r.RequestId);
        writer.Integer(11, IdOrNull(ids, at + ChainId, r.Chain));
        writer.Integer(12, IdOrNull(ids, at + PolicyVersionId, r.PolicyVersion));
        writer.Text(13, r.Reason);
        writer.Text(14, r.Details);

        // A chain hash is 32 bytes (64 hex digits); decoded on the stack, and anything else decoded as before.
        Span<byte> bytes = stackalloc byte[32];
        if (hash.Length == 64 && Convert.FromHexString(hash, bytes, out _, out var written) == System.Buffers.OperationStatus.Done && written == 32)
        {
            writer.Blob(15, bytes);
        }
        else
        {
            writer.Blob(15, Convert.FromHexString(hash));
        }
    }

    private static long? IdOrNull(long[] ids, int slot, string? value) => value is null ? null : ids[slot];

    private static object?[] Values(AuditRow r, byte[] hash, long[] ids, int row)
    {
        var at = row * StringColumns;
        return
        [
            r.Sequence, r.TimeMilliseconds, ids[at + TypeId], Id(ids, at + ActorId, r.Actor), Id(ids, at + SubjectId, r.Subject),
            Id(ids, at + ActionId, r.Action), r.Resource, r.Decision, r.CredentialId, r.TaskId, r.RequestId,
            Id(ids, at + ChainId, r.Chain), Id(ids, at + PolicyVersionId, r.PolicyVersion), r.Reason, r.Details, hash,
        ];
    }

    private static object Id(long[] ids, int slot, string? value) => value is null ? DBNull.Value : ids[slot];

    // A row's looked-up strings, in the order of their slots in the ids array (StringColumns slots per row).
    private const int StringColumns = 6;
    private const int TypeId = 0;
    private const int ActorId = 1;
    private const int SubjectId = 2;
    private const int ActionId = 3;
    private const int ChainId = 4;
    private const int PolicyVersionId = 5;

    private static string? StringAt(AuditRow r, int column) => column switch
    {
        TypeId => r.Type,
        ActorId => r.Actor,
        SubjectId => r.Subject,
        ActionId => r.Action,
        ChainId => r.Chain,
        _ => r.PolicyVersion,
    };

    /// <summary>
    /// The dictionary ids of the repeated strings in <paramref name="rows"/>, <see cref="StringColumns"/> slots per row (a
    /// null string's slot is unused), as far as this store has seen them committed (<see cref="AuditStringIds"/>); the
    /// others are returned in <paramref name="missing"/> (null when there are none, as for nearly every batch). A flat
    /// array rather than a table by string: this runs once per group-commit batch, with one caller deciding at a time
    /// once per audited decision.
    /// </summary>
    private long[] CachedStringIds(AuditRow[] rows, out HashSet<string>? missing)
    {
        var cache = session.Dialect.AuditStrings;
        var ids = new long[rows.Length * StringColumns];
        missing = null;
        for (var row = 0; row < rows.Length; row++)
        {
            for (var column = 0; column < StringColumns; column++)
            {
                if (StringAt(rows[row], column) is not { } value)
                {
                    continue;
                }

                if (cache.TryGet(value, out var id))
                {
                    ids[(row * StringColumns) + column] = id;
                }
                else
                {
                    (missing ??= new HashSet<string>(StringComparer.Ordinal)).Add(value);
                }
            }
        }

        return ids;
    }

    /// <summary>
    /// Adds the <paramref name="missing"/> strings and fills in their ids: they are added and read inside the append's
    /// own transaction (a batch holds few new strings: two small statements), and remembered only once it commits, so
    /// an id from a transaction that rolled back is never reused.
    /// </summary>
    private async Task AddStringIdsAsync(AuditRow[] rows, long[] ids, HashSet<string> missing, CancellationToken cancellationToken)
    {
        var cache = session.Dialect.AuditStrings;
        var values = missing.ToArray();
        Array.Sort(values, StringComparer.Ordinal); // one order for every writer, so concurrent inserts never deadlock
        var found = new Dictionary<string, long>(values.Length, StringComparer.Ordinal);
        for (var offset = 0; offset < values.Length; offset += StringsPerStatement)
        {
            var count = Math.Min(StringsPerStatement, values.Length - offset);
            var parameters = new (string Name, object? Value)[count];
            var names = new string[count];
            for (var i = 0; i < count; i++)
            {
                names[i] = "@s" + i.ToString(CultureInfo.InvariantCulture);
                parameters[i] = (names[i], values[offset + i]);
            }

            await session.ExecuteAsync(
                "INSERT INTO audit_strings (value) VALUES (" + string.Join("),(", names) + ") ON CONFLICT (value) DO NOTHING",
                cancellationToken,
                parameters).ConfigureAwait(false);
            var command = session.Command("SELECT id, value FROM audit_strings WHERE value IN (" + string.Join(',', names) + ")", parameters);
            await using var commandDisposal = command.ConfigureAwait(false);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerDisposal = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                found[reader.GetString(1)] = reader.GetInt64(0);
            }
        }

        if (found.Count < values.Length)
        {
            throw new InvalidOperationException("A ledger string was neither added nor found in audit_strings.");
        }

        for (var row = 0; row < rows.Length; row++)
        {
            for (var column = 0; column < StringColumns; column++)
            {
                if (StringAt(rows[row], column) is { } value && found.TryGetValue(value, out var id))
                {
                    ids[(row * StringColumns) + column] = id;
                }
            }
        }

        session.OnCommitted(() => cache.AddCommitted(found));
    }

    public IAsyncEnumerable<StoredAuditRecord> ReadAsync(long fromSequence, CancellationToken cancellationToken) =>
        ReadRangeAsync(fromSequence, long.MaxValue, cancellationToken);

    public async IAsyncEnumerable<StoredAuditRecord> ReadRangeAsync(long fromSequence, long toSequence, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (sql, to, strings) = await PlanReadAsync(fromSequence, toSequence, cancellationToken).ConfigureAwait(false);
        if (to < fromSequence - 1)
        {
            yield break;
        }

        // The row before the range is read too: its stored hash is the first event's previous hash.
        var command = session.Command(sql, ("@from", fromSequence - 1), ("@to", to));
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        var previous = fromSequence <= 1 ? AuditHashing.GenesisHash : string.Empty;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var record = ReadRow(reader, previous, strings);
            previous = record.Hash;
            if (record.Sequence >= fromSequence)
            {
                yield return record;
            }
        }
    }

    public Task<IAuditRowCursor> OpenRowCursorAsync(long fromSequence, CancellationToken cancellationToken) =>
        session.Dialect.OpenAuditRowCursorAsync(session, this, fromSequence, cancellationToken);

    /// <summary>
    /// How a read of events <paramref name="fromSequence"/>..<paramref name="toSequence"/> goes: the statement (with
    /// <c>@from</c>, the row before the range, and <c>@to</c>), the last sequence it reads (below <c>@from</c> when the
    /// chain is empty), and the lookup table when it is loaded rather than joined. A long read (a whole verification, an
    /// export) takes the table into memory once instead of joining it six times per row, and then shares one string per
    /// value across every row. It reads up to the head as it was before the table was read: every string of those rows
    /// was committed with them, so it is there (unless the table was edited, which the row then reports).
    /// </summary>
    internal async Task<(string Sql, long ToSequence, IReadOnlyDictionary<long, string>? Strings)> PlanReadAsync(long fromSequence, long toSequence, CancellationToken cancellationToken)
    {
        IReadOnlyDictionary<long, string>? strings = null;
        if (toSequence - fromSequence >= LoadStringsFrom)
        {
            if (await GetHeadAsync(cancellationToken).ConfigureAwait(false) is not { } head)
            {
                return (RowSelect, fromSequence - 2, null);
            }

            toSequence = Math.Min(toSequence, head.Sequence);
            if (toSequence - fromSequence >= LoadStringsFrom)
            {
                strings = await StringsAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        return ((strings is null ? RowSelect : PlainRowSelect) + " WHERE e.seq >= @from AND e.seq <= @to ORDER BY e.seq", toSequence, strings);
    }

    /// <summary>Events from which a read loads the lookup table rather than joining it (the table holds about one entry
    /// per identity, so a short range, such as a checkpoint's or the start-up check's tail, joins).</summary>
    private const long LoadStringsFrom = 50_000;

    /// <summary>The columns of <see cref="RowSelect"/> at the same positions, without the joins (values left null).</summary>
    private const string PlainRowSelect = """
        SELECT e.seq, e.time_ms, e.type_id, NULL, e.actor_id, NULL, e.subject_id, NULL, e.action_id, NULL,
               e.resource, e.decision, e.jti, e.task_id, e.request_id, e.chain_id, NULL, e.policy_version_id, NULL,
               e.reason, e.details, e.hash
        FROM audit_log e
        """;

    private async Task<Dictionary<long, string>> StringsAsync(CancellationToken cancellationToken)
    {
        var command = session.Command("SELECT id, value FROM audit_strings");
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        var strings = new Dictionary<long, string>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            strings[reader.GetInt64(0)] = reader.GetString(1);
        }

        return strings;
    }

    /// <summary>
    /// One row of <see cref="RowSelect"/>. A row naming a dictionary entry that is not there cannot be rebuilt at all:
    /// it is returned with the reason, and verification reports it at this event.
    /// </summary>
    internal static StoredAuditRecord ReadRow(DbDataReader reader, string previousHash, IReadOnlyDictionary<long, string>? strings = null)
    {
        var sequence = reader.GetInt64(0);
        var hash = HashText(reader, 21);
        string? missing = null;
        string? Lookup(int idOrdinal, string role)
        {
            if (reader.IsDBNull(idOrdinal))
            {
                return null;
            }

            string? value;
            if (strings is not null)
            {
                value = strings.GetValueOrDefault(reader.GetInt64(idOrdinal));
            }
            else
            {
                value = reader.IsDBNull(idOrdinal + 1) ? null : reader.GetString(idOrdinal + 1);
            }

            if (value is null)
            {
                missing ??= $"the row refers to entry {reader.GetInt64(idOrdinal).ToString(CultureInfo.InvariantCulture)} of audit_strings for its '{role}', which is missing: the lookup table was modified";
                return null;
            }

            return value;
        }

        var type = Lookup(2, "type");
        var actor = Lookup(4, "actor");
        var subject = Lookup(6, "subject");
        var action = Lookup(8, "action");
        var chain = Lookup(15, "chain");
        var policyVersion = Lookup(17, "policy_version");
        if (missing is null && type is null)
        {
            missing = "the row has no type: the row was modified";
        }

        if (missing is not null)
        {
            return StoredAuditRecord.Unreadable(sequence, previousHash, hash, missing);
        }

        var row = new AuditRow(
            sequence,
            reader.GetInt64(1),
            type!,
            actor,
            subject,
            action,
            Text(reader, 10),
            Text(reader, 11),
            Text(reader, 12),
            Text(reader, 13),
            Text(reader, 14),
            chain,
            policyVersion,
            Text(reader, 19),
            Text(reader, 20));
        return new StoredAuditRecord(row, previousHash, hash);
    }

    public async Task<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var where = new List<string> { "e.seq > @after" };
        var parameters = new List<(string Name, object? Value)> { ("@after", query.AfterSequence) };
        if (query.Identity is { } identity)
        {
            where.Add("""
                (e.actor_id = (SELECT id FROM audit_strings WHERE value = @identity)
                 OR e.subject_id = (SELECT id FROM audit_strings WHERE value = @identity)
                 OR e.chain_id IN (SELECT id FROM audit_strings WHERE value LIKE @chain ESCAPE '\'))
                """);
            parameters.Add(("@identity", identity));
            parameters.Add(("@chain", "%" + EscapeLike(AuditRow.ChainElement(identity)) + "%"));
        }

        Filter(where, parameters, "e.task_id", "@task", query.TaskId);
        Filter(where, parameters, "e.jti", "@jti", query.CredentialId);
        Filter(where, parameters, "e.decision", "@decision", query.Decision);
        if (query.Type is { } type)
        {
            if (type.EndsWith('.'))
            {
                where.Add("e.type_id IN (SELECT id FROM audit_strings WHERE value LIKE @type ESCAPE '\\')");
                parameters.Add(("@type", EscapeLike(type) + "%"));
            }
            else
            {
                where.Add("e.type_id = (SELECT id FROM audit_strings WHERE value = @type)");
                parameters.Add(("@type", type));
            }
        }

        if (query.Since is { } since)
        {
            where.Add("e.time_ms >= @since");
            parameters.Add(("@since", since.ToUnixTimeMilliseconds()));
        }

        if (query.Until is { } until)
        {
            where.Add("e.time_ms < @until");
            parameters.Add(("@until", until.ToUnixTimeMilliseconds()));
        }

        var limit = Math.Clamp(query.Limit, 1, AuditQuery.MaxLimit);
        var sql = RowSelect.Replace(" e.hash\n", " e.hash, (SELECT b.hash FROM audit_log b WHERE b.seq = e.seq - 1)\n", StringComparison.Ordinal)
            + $" WHERE {string.Join(" AND ", where)} ORDER BY e.seq LIMIT {limit.ToString(CultureInfo.InvariantCulture)}";
        var command = session.Command(sql, [.. parameters]);
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        var results = new List<AuditRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var sequence = reader.GetInt64(0);
            var previous = reader.IsDBNull(RowColumns) ? (sequence == 1 ? AuditHashing.GenesisHash : string.Empty) : HashText(reader, RowColumns);
            var stored = ReadRow(reader, previous);
            var row = stored.Row ?? throw new FormatException($"event {sequence}: {stored.RowFailure}");
            results.Add(new AuditRecord(sequence, row.Time, row.ToEvent(), stored.PreviousHash, stored.Hash) { Body = stored.CanonicalJson });
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

    /// <summary>A stored hash (32 bytes) as the lower-case hex the chain is computed over.</summary>
    internal static string HashText(DbDataReader reader, int ordinal) => Convert.ToHexStringLower((byte[])reader.GetValue(ordinal));
}
