using System.Data.Common;
using Mandate.Core.Audit;

namespace Mandate.Storage.Relational.Repositories;

/// <summary>
/// The rows of a verification walk through the driver's reader (<see cref="SqlDialect.OpenAuditRowCursorAsync"/>'s
/// default): the statement and lookup strategy of <see cref="AuditRepository.ReadAsync"/> (a long walk loads the
/// lookup table once, a short one joins it), each id resolved to one <see cref="AuditLookupEntry"/> for the walk.
/// </summary>
internal sealed class AuditRowCursor : IAuditRowCursor
{
    // Ordinals of AuditRepository.RowSelect: each looked-up field's id (its joined value follows it), the text columns.
    private static readonly int[] LookupOrdinals = [2, 4, 6, 8, 15, 17];
    private static readonly int[] TextOrdinals = [10, 11, 12, 13, 14, 19, 20];
    private const int HashOrdinal = 21;

    private readonly DbCommand command;
    private readonly DbDataReader reader;
    private readonly long fromSequence;
    private readonly IReadOnlyDictionary<long, string>? strings;
    private readonly Dictionary<long, AuditLookupEntry> entries = [];
    private string previous;

    private AuditRowCursor(DbCommand command, DbDataReader reader, long fromSequence, IReadOnlyDictionary<long, string>? strings)
    {
        this.command = command;
        this.reader = reader;
        this.fromSequence = fromSequence;
        this.strings = strings;
        previous = fromSequence <= 1 ? AuditHashing.GenesisHash : string.Empty;
    }

    public static async Task<IAuditRowCursor> OpenAsync(RelationalSession session, AuditRepository repository, long fromSequence, CancellationToken cancellationToken)
    {
        var (sql, toSequence, strings) = await repository.PlanReadAsync(fromSequence, long.MaxValue, cancellationToken).ConfigureAwait(false);
        var command = session.Command(sql, ("@from", fromSequence - 1), ("@to", toSequence));
        try
        {
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return new AuditRowCursor(command, reader, fromSequence, strings);
        }
        catch
        {
            await command.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask<bool> ReadAsync(AuditRowBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        batch.Clear();
        batch.FirstPreviousHash = previous;
        while (!batch.IsFull && await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var sequence = reader.GetInt64(0);
            if (sequence < fromSequence)
            {
                // The row before the walk: only its hash, the first event's previous hash.
                previous = AuditRepository.HashText(reader, HashOrdinal);
                batch.FirstPreviousHash = previous;
                continue;
            }

            batch.BeginRow(sequence, reader.GetInt64(1));
            for (var field = 0; field < AuditRowBatch.LookupFields; field++)
            {
                var ordinal = LookupOrdinals[field];
                if (!reader.IsDBNull(ordinal))
                {
                    batch.SetLookup(field, Entry(reader.GetInt64(ordinal), ordinal));
                }
            }

            for (var field = 0; field < AuditRowBatch.TextFields; field++)
            {
                var ordinal = TextOrdinals[field];
                batch.SetText(field, reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal));
            }

            batch.SetHash((byte[])reader.GetValue(HashOrdinal));
            batch.EndRow();
        }

        if (batch.Count > 0)
        {
            previous = Convert.ToHexStringLower(batch.StoredHash(batch.Count - 1));
        }

        return batch.Count > 0;
    }

    private AuditLookupEntry Entry(long id, int ordinal)
    {
        if (!entries.TryGetValue(id, out var entry))
        {
            // One snapshot: an id names the same value (or none) on every row, loaded or joined.
            var value = strings is not null
                ? strings.GetValueOrDefault(id)
                : reader.IsDBNull(ordinal + 1) ? null : reader.GetString(ordinal + 1);
            entry = new AuditLookupEntry(id, value);
            entries[id] = entry;
        }

        return entry;
    }

    public async ValueTask DisposeAsync()
    {
        await reader.DisposeAsync().ConfigureAwait(false);
        await command.DisposeAsync().ConfigureAwait(false);
    }
}
