using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Mandate.Core.Governance.Findings;

namespace Mandate.Storage.Relational.Repositories;

[Repository(typeof(IFindingRepository))]
internal sealed class FindingRepository(RelationalSession session) : IFindingRepository
{
    private const string Columns = "id, kind, severity, source, identity, owner, summary, evidence, remediation, status, first_seen, last_seen, resolved_at, accepted_reason, accepted_by, accepted_until";
    private const int InListSize = 500;
    private const int InsertColumns = 17;

    public async Task<IReadOnlyList<Finding>> ListAsync(FindingQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var where = new StringBuilder("1 = 1");
        var parameters = new List<(string, object?)>();
        void Filter(string column, string? value)
        {
            if (value is not null)
            {
                where.Append(CultureInfo.InvariantCulture, $" AND {column} = @{column}");
                parameters.Add(("@" + column, value));
            }
        }

        Filter("kind", query.Kind);
        Filter("owner", query.Owner);
        Filter("identity", query.Identity);
        Filter("status", query.Status);
        Filter("id", query.Id);
        var command = session.Command($"SELECT {Columns} FROM findings WHERE {where} ORDER BY first_seen, id", [.. parameters]);
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        var list = new List<Finding>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(new Finding
            {
                Id = reader.GetString(0),
                Kind = reader.GetString(1),
                Severity = reader.GetString(2),
                Source = reader.GetString(3),
                Identity = reader.GetString(4),
                Owner = reader.IsDBNull(5) ? null : reader.GetString(5),
                Summary = reader.GetString(6),
                Evidence = FindingEvidenceJson.Decode(reader.GetString(7)),
                Remediation = reader.IsDBNull(8) ? FindingRemediations.Standard(reader.GetString(1)) ?? "" : reader.GetString(8),
                Status = reader.GetString(9),
                FirstSeen = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(10)),
                LastSeen = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(11)),
                ResolvedAt = reader.IsDBNull(12) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(12)),
                AcceptedReason = reader.IsDBNull(13) ? null : reader.GetString(13),
                AcceptedBy = reader.IsDBNull(14) ? null : reader.GetString(14),
                AcceptedUntil = reader.IsDBNull(15) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(15)),
            });
        }

        return list;
    }

    public Task UpsertAsync(IReadOnlyList<Finding> findings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(findings);

        // One statement may not update a row twice (PostgreSQL): of one id given twice, the last stands, as it would
        // have row by row.
        var last = new Dictionary<string, Finding>(StringComparer.Ordinal);
        foreach (var finding in findings)
        {
            last[finding.Id] = finding;
        }

        return WriteAsync(
            [.. last.Values],
            """
            ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, summary = excluded.summary, evidence = excluded.evidence,
              severity = excluded.severity, status = excluded.status, first_seen = excluded.first_seen,
              last_seen = excluded.last_seen, resolved_at = excluded.resolved_at, accepted_reason = excluded.accepted_reason,
              accepted_by = excluded.accepted_by, accepted_until = excluded.accepted_until, digest = excluded.digest, remediation = excluded.remediation
            """,
            cancellationToken);
    }

    // Another node's recompute may have inserted the same finding meanwhile: its row stands.
    public Task InsertAsync(IReadOnlyList<Finding> findings, CancellationToken cancellationToken) =>
        WriteAsync(findings, "ON CONFLICT (id) DO NOTHING", cancellationToken);

    public Task InsertOpenedAsync(IReadOnlyList<Finding> findings, DateTimeOffset at, CancellationToken cancellationToken) =>
        WriteAsync(findings, "ON CONFLICT (id) DO NOTHING", cancellationToken, at);

    // opened: every row is written as opened then (status, times, resolution and acceptance), not as the finding says.
    private async Task WriteAsync(IReadOnlyList<Finding> findings, string onConflict, CancellationToken cancellationToken, DateTimeOffset? opened = null)
    {
        ArgumentNullException.ThrowIfNull(findings);

        var order = InsertOrder(findings);
        var encoding = FindingEncoding.Start(findings, order, cancellationToken);
        var bulk = await session.Dialect.BeginBulkInsertAsync(session.Connection, findings.Count, cancellationToken).ConfigureAwait(false);
        try
        {
            var writer = await session.Dialect.OpenBulkRowWriterAsync(session, "findings", Columns + ", digest", InsertColumns, onConflict, cancellationToken).ConfigureAwait(false);
            await using (writer.ConfigureAwait(false))
            {
                for (var position = 0; position < order.Length; position++)
                {
                    await encoding.WaitForAsync(position).ConfigureAwait(false);
                    var f = findings[order[position]];
                    writer.Text(0, f.Id);
                    writer.Text(1, f.Kind);
                    writer.Text(2, f.Severity);
                    writer.Text(3, f.Source);
                    writer.Text(4, f.Identity);
                    writer.Text(5, f.Owner);
                    writer.Text(6, f.Summary);
                    writer.Utf8Text(7, encoding.Evidence(position));
                    writer.Text(8, FindingRemediations.IsStandard(f.Kind, f.Remediation) ? null : f.Remediation ?? throw new ArgumentException($"The finding {f.Id} has no remediation.", nameof(findings)));
                    if (opened is { } at)
                    {
                        writer.Text(9, "open");
                        writer.Integer(10, at.ToUnixTimeMilliseconds());
                        writer.Integer(11, at.ToUnixTimeMilliseconds());
                        writer.Integer(12, null);
                        writer.Text(13, null);
                        writer.Text(14, null);
                        writer.Integer(15, null);
                    }
                    else
                    {
                        writer.Text(9, f.Status);
                        writer.Integer(10, f.FirstSeen.ToUnixTimeMilliseconds());
                        writer.Integer(11, f.LastSeen.ToUnixTimeMilliseconds());
                        writer.Integer(12, f.ResolvedAt?.ToUnixTimeMilliseconds());
                        writer.Text(13, f.AcceptedReason);
                        writer.Text(14, f.AcceptedBy);
                        writer.Integer(15, f.AcceptedUntil?.ToUnixTimeMilliseconds());
                    }
                    writer.Integer(16, encoding.Digest(position));
                    await writer.EndRowAsync(cancellationToken).ConfigureAwait(false);
                }

                await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            encoding.ReleaseAll();
            if (bulk is not null)
            {
                await bulk.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    // The positions of the findings in identity order. The table's rows get ascending rowids whatever the order, and of
    // its two indexes the one on identity holds the longer keys (an ARN against a 24-character id): written in identity
    // order, each of its entries continues where the previous one ended, and only the smaller id index takes entries at
    // random places (finding ids are hashes). A recompute judges the inventory in its stored (source, external id)
    // order, so most of a large write already comes sorted: its sorted prefix is kept as it is and only the rest (the
    // findings of registered identities, policies, shared secrets) is sorted and merged in. Only the speed of the
    // insert depends on this order, not what it writes.
    internal static int[] InsertOrder(IReadOnlyList<Finding> findings)
    {
        var count = findings.Count;
        var prefix = count == 0 ? 0 : 1;
        while (prefix < count && string.CompareOrdinal(findings[prefix - 1].Identity, findings[prefix].Identity) <= 0)
        {
            prefix++;
        }

        var order = new int[count];
        if (prefix == count)
        {
            for (var i = 0; i < count; i++)
            {
                order[i] = i;
            }

            return order;
        }

        // The rest, sorted stably by identity (OrderBy is stable), then merged with the sorted prefix.
        var rest = Enumerable.Range(prefix, count - prefix).OrderBy(i => findings[i].Identity, StringComparer.Ordinal).ToArray();
        int a = 0, b = 0, at = 0;
        while (a < prefix && b < rest.Length)
        {
            order[at++] = string.CompareOrdinal(findings[a].Identity, findings[rest[b]].Identity) <= 0 ? a++ : rest[b++];
        }

        while (a < prefix)
        {
            order[at++] = a++;
        }

        while (b < rest.Length)
        {
            order[at++] = rest[b++];
        }

        return order;
    }

    public async Task<IReadOnlyList<FindingState>> ListStatesAsync(CancellationToken cancellationToken)
    {
        var command = session.Command("SELECT id, status, first_seen, accepted_until, digest, kind, severity, source, identity, accepted_reason, accepted_by FROM findings");
        await using var commandDisposal = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerDisposal = reader.ConfigureAwait(false);
        var list = new List<FindingState>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(new FindingState(
                reader.GetString(0),
                reader.GetString(1),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
                reader.IsDBNull(3) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
                reader.IsDBNull(4) ? null : reader.GetInt64(4),
                reader.GetString(5),
                reader.GetString(6),
                reader.GetString(7),
                reader.GetString(8),
                reader.IsDBNull(9) ? null : reader.GetString(9),
                reader.IsDBNull(10) ? null : reader.GetString(10)));
        }

        return list;
    }

    public async Task ResolveAsync(IReadOnlyList<string> ids, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        foreach (var chunk in ids.Chunk(InListSize))
        {
            var parameters = new List<(string, object?)> { ("@at", at.ToUnixTimeMilliseconds()) };
            var names = new StringBuilder();
            for (var i = 0; i < chunk.Length; i++)
            {
                var name = "@i" + i.ToString(CultureInfo.InvariantCulture);
                names.Append(i == 0 ? name : ", " + name);
                parameters.Add((name, chunk[i]));
            }

            await session.ExecuteAsync(
                $"UPDATE findings SET status = 'resolved', resolved_at = @at, last_seen = @at, accepted_reason = NULL, accepted_by = NULL, accepted_until = NULL WHERE id IN ({names})",
                cancellationToken,
                [.. parameters]).ConfigureAwait(false);
        }
    }

}
