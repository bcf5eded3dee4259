using System.Globalization;
using Mandate.Core.Audit;
using Mandate.Core.Storage;

namespace Mandate.Storage.Relational.Repositories;

/// <summary>
/// The check of migration 0320 (the compact ledger layout), run after the rows were converted and before the old table
/// is dropped, in the migration's transaction: every converted row must rebuild the body that was stored (so its hash,
/// every later hash, the checkpoints and the inclusion proofs stay what they were) and the old row must have linked to
/// the hash before it (the new layout keeps no copy of that link, so a ledger that does not link as stored would lose
/// evidence). Anything else throws, and the migration rolls back with the old table as it was.
/// </summary>
internal static class AuditLayoutConversion
{
    public static async Task CheckAsync(RelationalSession session, CancellationToken cancellationToken)
    {
        var converted = Convert.ToInt64(await session.ScalarAsync("SELECT COUNT(*) FROM audit_log", cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        var stored = Convert.ToInt64(await session.ScalarAsync("SELECT COUNT(*) FROM audit_events", cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        if (converted != stored)
        {
            throw Refuse($"{stored} events are stored but {converted} were converted");
        }

        var sql = AuditRepository.RowSelect.Replace(" e.hash\n", " e.hash, o.body, o.prev_hash, o.hash\n", StringComparison.Ordinal)
            + " JOIN audit_events o ON o.seq = e.seq ORDER BY e.seq";
        var command = session.Command(sql);
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        var previous = AuditHashing.GenesisHash;
        var column = AuditRepository.RowColumns;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var record = AuditRepository.ReadRow(reader, previous);
            var position = "event " + record.Sequence.ToString(CultureInfo.InvariantCulture);
            var body = reader.GetString(column);
            var previousHash = reader.GetString(column + 1);
            var hash = reader.GetString(column + 2);
            if (!string.Equals(previousHash, previous, StringComparison.Ordinal))
            {
                throw Refuse($"{position} does not link to the event stored before it (its prev_hash is not that event's hash)");
            }

            if (!string.Equals(record.Hash, hash, StringComparison.Ordinal))
            {
                throw Refuse($"{position}: its hash is not 64 lower-case hex digits");
            }

            string? rebuilt;
            try
            {
                rebuilt = record.CanonicalJson;
            }
            catch (FormatException ex)
            {
                throw Refuse($"{position}: {ex.Message}");
            }

            if (!string.Equals(rebuilt, body, StringComparison.Ordinal))
            {
                throw Refuse($"{position}: its stored body differs from its stored columns, or is not in canonical form");
            }

            previous = hash;
        }
    }

    private static StoreException Refuse(string why) => new(
        $"The audit ledger cannot be converted to the compact layout (migration 0320): {why}. The ledger was modified or "
        + "damaged before this upgrade; nothing was changed. Verify and export it with the previous Mandate build "
        + "('mandate audit verify', 'mandate audit export') and keep that evidence before upgrading.");
}
