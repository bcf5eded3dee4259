using System.Data.Common;
using System.Globalization;
using Mandate.Core.Governance.Compliance;
using Mandate.Core.Governance.Findings;

namespace Mandate.Storage.Relational.Repositories;

[Repository(typeof(IGovernanceFactsRepository))]
internal sealed class GovernanceFactsRepository(RelationalSession session) : IGovernanceFactsRepository
{
    public async Task<IReadOnlyList<RegisteredIdentityFacts>> ReadRegisteredAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var at = now.ToUnixTimeMilliseconds();

        // The live credential that outlives its identity, named in evidence: only for identities already expired.
        var outliving = new Dictionary<string, (string Jti, long Expires)>(StringComparer.Ordinal);
        var live = session.Command(
            """
            SELECT c.subject, c.jti, c.expires_at FROM credentials c JOIN identities i ON i.spiffe_id = c.subject
            WHERE i.expires_at <= @now AND c.revoked_at IS NULL AND c.expires_at > @now
            """,
            ("@now", at));
        await using (live.ConfigureAwait(false))
        {
            var reader = await live.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var expires = Long(reader, 2);
                    if (!outliving.TryGetValue(reader.GetString(0), out var known) || expires > known.Expires)
                    {
                        outliving[reader.GetString(0)] = (reader.GetString(1), expires);
                    }
                }
            }
        }

        var command = session.Command(
            """
            SELECT i.spiffe_id, i.owner, i.status, i.created_at, i.expires_at, c.live, c.last_used
            FROM identities i
            LEFT JOIN (SELECT subject,
                         SUM(CASE WHEN revoked_at IS NULL AND expires_at > @now THEN 1 ELSE 0 END) AS live,
                         MAX(last_used_at) AS last_used
                       FROM credentials GROUP BY subject) c ON c.subject = i.spiffe_id
            ORDER BY i.spiffe_id
            """,
            ("@now", at));
        await using var commandDisposal = command.ConfigureAwait(false);
        var rows = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var rowsDisposal = rows.ConfigureAwait(false);
        var list = new List<RegisteredIdentityFacts>();
        while (await rows.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var id = rows.GetString(0);
            outliving.TryGetValue(id, out var latest);
            list.Add(new RegisteredIdentityFacts
            {
                SpiffeId = id,
                Owner = rows.GetString(1),
                Status = rows.GetString(2),
                CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(Long(rows, 3)),
                ExpiresAt = DateTimeOffset.FromUnixTimeMilliseconds(Long(rows, 4)),
                LiveCredentials = rows.IsDBNull(5) ? 0 : (int)Long(rows, 5),
                LastCredentialUse = rows.IsDBNull(6) ? null : DateTimeOffset.FromUnixTimeMilliseconds(Long(rows, 6)),
                LatestLiveCredential = latest.Jti,
                LatestLiveExpiry = latest.Jti is null ? null : DateTimeOffset.FromUnixTimeMilliseconds(latest.Expires),
            });
        }

        return list;
    }

    public async Task<long> FoldUsageAsync(long maxRecords, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var cursor = Convert.ToInt64(await session.ScalarAsync("SELECT last_sequence FROM governance_cursor WHERE id = 1", cancellationToken).ConfigureAwait(false) ?? 0L, CultureInfo.InvariantCulture);
        var head = await session.ScalarAsync("SELECT MAX(seq) FROM audit_events", cancellationToken).ConfigureAwait(false);
        var last = head is null or DBNull ? 0L : Convert.ToInt64(head, CultureInfo.InvariantCulture);
        if (last <= cursor)
        {
            return 0;
        }

        var upTo = Math.Min(last, cursor + Math.Max(1, maxRecords));
        var folded = new Dictionary<(string Subject, string Action, string ResourceType), (long Sequence, long Time)>();
        var read = session.Command(
            """
            SELECT seq, time_ms, type, subject, action, resource FROM audit_events
            WHERE seq > @from AND seq <= @to AND subject IS NOT NULL
              AND (type = 'credential.used' OR (type = 'decision' AND decision = 'allow'))
            """,
            ("@from", cursor), ("@to", upTo));
        await using (read.ConfigureAwait(false))
        {
            var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var sequence = Long(reader, 0);
                    var time = Long(reader, 1);
                    var subject = LedgerEntityNames.Split(reader.GetString(3)).Id;
                    var key = reader.GetString(2) == "decision" && !reader.IsDBNull(4) && !reader.IsDBNull(5)
                        ? (subject, reader.GetString(4), LedgerEntityNames.Split(reader.GetString(5)).Type)
                        : (subject, "", "");
                    if (!folded.TryGetValue(key, out var known) || sequence > known.Sequence)
                    {
                        folded[key] = (sequence, time);
                    }
                }
            }
        }

        var upsert = session.Command(
            """
            INSERT INTO governance_usage (subject, action, resource_type, last_seq, last_ms) VALUES (@s, @a, @r, @seq, @ms)
            ON CONFLICT (subject, action, resource_type) DO UPDATE SET last_seq = excluded.last_seq, last_ms = excluded.last_ms
            WHERE excluded.last_seq > governance_usage.last_seq
            """,
            ("@s", null), ("@a", null), ("@r", null), ("@seq", null), ("@ms", null));
        await using (upsert.ConfigureAwait(false))
        {
            foreach (var ((subject, action, resourceType), (sequence, time)) in folded)
            {
                upsert.Parameters["@s"].Value = subject;
                upsert.Parameters["@a"].Value = action;
                upsert.Parameters["@r"].Value = resourceType;
                upsert.Parameters["@seq"].Value = sequence;
                upsert.Parameters["@ms"].Value = time;
                await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        // The fold is idempotent (later sequences win), so a cursor another node moved first costs nothing.
        await session.ExecuteAsync(
            "UPDATE governance_cursor SET last_sequence = @to, updated_ms = @ms WHERE id = 1 AND last_sequence < @to",
            cancellationToken,
            ("@to", upTo), ("@ms", now.ToUnixTimeMilliseconds())).ConfigureAwait(false);
        return upTo - cursor;
    }

    public async Task<ComplianceStoreFacts> ReadComplianceFactsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var at = now.ToUnixTimeMilliseconds();
        var facts = new ComplianceStoreFacts();
        var imported = session.Command(
            """
            SELECT COUNT(*),
              SUM(CASE WHEN owner IS NOT NULL THEN 1 ELSE 0 END),
              SUM(CASE WHEN owner IS NOT NULL AND expires_at IS NOT NULL THEN 1 ELSE 0 END)
            FROM inventory_identities WHERE status = 'active'
            """);
        await using (imported.ConfigureAwait(false))
        {
            var reader = await imported.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    facts = facts with
                    {
                        ImportedActive = (int)Long(reader, 0),
                        ImportedWithOwner = reader.IsDBNull(1) ? 0 : (int)Long(reader, 1),
                        ImportedWithOwnerAndExpiry = reader.IsDBNull(2) ? 0 : (int)Long(reader, 2),
                    };
                }
            }
        }

        var longest = session.Command(
            "SELECT jti, expires_at - issued_at FROM credentials WHERE revoked_at IS NULL AND expires_at > @now ORDER BY expires_at - issued_at DESC, jti LIMIT 1",
            ("@now", at));
        await using (longest.ConfigureAwait(false))
        {
            var reader = await longest.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    facts = facts with { LongestCredential = reader.GetString(0), LongestCredentialLifetime = TimeSpan.FromMilliseconds(Long(reader, 1)) };
                }
            }
        }

        var oldest = session.Command(
            """
            SELECT c.external_id, c.slot, COALESCE(c.last_rotated_at, c.created_at) AS born FROM inventory_credentials c
            JOIN inventory_identities i ON i.source = c.source AND i.external_id = c.external_id
            WHERE i.status = 'active' AND c.active <> 0 AND c.kind IN ('access_key', 'password', 'secret')
              AND COALESCE(c.last_rotated_at, c.created_at) IS NOT NULL
            ORDER BY born, c.external_id, c.slot LIMIT 1
            """);
        await using (oldest.ConfigureAwait(false))
        {
            var reader = await oldest.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    facts = facts with { OldestStaticSecret = reader.GetString(1) + " of " + reader.GetString(0), OldestStaticSecretAge = TimeSpan.FromMilliseconds(at - Long(reader, 2)) };
                }
            }
        }

        var revocations = await session.ScalarAsync("SELECT COUNT(*) FROM revocations", cancellationToken).ConfigureAwait(false);
        var lastRevocation = await session.ScalarAsync("SELECT MAX(seq) FROM audit_events WHERE type = 'credential.revoked'", cancellationToken).ConfigureAwait(false);
        var head = await session.ScalarAsync("SELECT MAX(seq) FROM audit_events", cancellationToken).ConfigureAwait(false);
        var cursor = await session.ScalarAsync("SELECT last_sequence FROM governance_cursor WHERE id = 1", cancellationToken).ConfigureAwait(false);
        return facts with
        {
            Revocations = Convert.ToInt64(revocations ?? 0L, CultureInfo.InvariantCulture),
            LastRevocationSequence = lastRevocation is null or DBNull ? null : Convert.ToInt64(lastRevocation, CultureInfo.InvariantCulture),
            LedgerHead = head is null or DBNull ? 0 : Convert.ToInt64(head, CultureInfo.InvariantCulture),
            UsageCursor = cursor is null or DBNull ? 0 : Convert.ToInt64(cursor, CultureInfo.InvariantCulture),
        };
    }

    public async Task<IReadOnlyList<IdentityUsage>> ReadUsageAsync(CancellationToken cancellationToken)
    {
        var command = session.Command("SELECT subject, action, resource_type, last_seq, last_ms FROM governance_usage");
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        var list = new List<IdentityUsage>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(new IdentityUsage(reader.GetString(0), reader.GetString(1), reader.GetString(2), Long(reader, 3), DateTimeOffset.FromUnixTimeMilliseconds(Long(reader, 4))));
        }

        return list;
    }

    private static long Long(DbDataReader reader, int ordinal) => Convert.ToInt64(reader.GetValue(ordinal), CultureInfo.InvariantCulture);
}
