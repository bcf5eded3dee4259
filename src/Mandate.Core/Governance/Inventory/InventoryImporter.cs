using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Mandate.Core.Audit;
using Mandate.Core.Storage;

namespace Mandate.Core.Governance.Inventory;

/// <summary>
/// Imports an inventory file: parses every row (a bad row is refused whole and reported with its line, the rest go on),
/// compares each identity with what is stored, and upserts the added and changed ones in batches of
/// <see cref="BatchSize"/> per transaction, each with its ledger event; the import itself is one
/// <c>inventory.imported</c> event with the counts, the file's name and SHA-256 (never its content).
/// </summary>
internal sealed class InventoryImporter(IMandateStore store, IAuditTrail audit, TimeProvider time)
{
    public const int BatchSize = 1000;

    public async Task<InventoryImportReport> ImportAsync(InventoryImportRequest request, string actor, string? requestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(request.Content.Span));
        var parse = Parse(request);
        await Offboarding.DepartedOwnerImportFilter.ApplyAsync(store, parse, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        now = DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds());
        var changes = new List<InventoryChange>();
        int added = 0, changed = 0, unchanged = 0;
        var truncated = false;
        long? sequence = null;

        var batchSize = Math.Max(1, request.BatchSize);
        for (var start = 0; start < parse.Entries.Count || (start == 0 && !request.DryRun); start += batchSize)
        {
            var batch = parse.Entries.GetRange(start, Math.Min(batchSize, parse.Entries.Count - start));
            var last = start + batchSize >= parse.Entries.Count;
            var session = await store.BeginAsync(request.DryRun ? StoreIntent.Read : StoreIntent.Write, cancellationToken).ConfigureAwait(false);
            await using var sessionDisposal = session.ConfigureAwait(false);
            var repository = session.Get<IInventoryRepository>();
            var stored = batch.Count == 0
                ? new Dictionary<(string, string), InventoryEntry>()
                : await repository.GetManyAsync([.. batch.Select(e => (e.Source, e.ExternalId))], cancellationToken).ConfigureAwait(false);
            var writes = new List<InventoryEntry>();
            var events = new List<AuditEvent>();
            foreach (var entry in batch)
            {
                InventoryChange? change;
                if (!stored.TryGetValue((entry.Source, entry.ExternalId), out var existing))
                {
                    added++;
                    change = new InventoryChange(entry.Source, entry.ExternalId, "added", []);
                }
                else if (InventoryDiff.Changes(existing, entry) is { Count: > 0 } fields)
                {
                    changed++;
                    change = new InventoryChange(entry.Source, entry.ExternalId, "changed", fields);
                }
                else
                {
                    unchanged++;
                    continue;
                }

                if (changes.Count < InventoryImportReport.MaxListedChanges)
                {
                    changes.Add(change);
                }
                else
                {
                    truncated = true;
                }

                writes.Add(entry);
                events.Add(new AuditEvent
                {
                    Type = "inventory.identity." + change.Outcome,
                    Actor = actor,
                    Subject = entry.ExternalId,
                    Action = "import",
                    RequestId = requestId,
                    Details = new Dictionary<string, string>
                    {
                        ["source"] = entry.Source,
                        ["owner"] = entry.Owner ?? string.Empty,
                        ["credentials"] = entry.Credentials.Count.ToString(CultureInfo.InvariantCulture),
                        ["fields"] = string.Join(",", change.Fields),
                    },
                });
            }

            if (request.DryRun)
            {
                continue;
            }

            if (writes.Count > 0)
            {
                await repository.UpsertAsync(writes, now, cancellationToken).ConfigureAwait(false);
            }

            foreach (var e in events)
            {
                await audit.RecordAsync(session, e, cancellationToken).ConfigureAwait(false);
            }

            if (last)
            {
                var record = await audit.RecordAsync(
                    session,
                    new AuditEvent
                    {
                        Type = "inventory.imported",
                        Actor = actor,
                        Subject = request.FileName,
                        Action = "import",
                        RequestId = requestId,
                        Details = new Dictionary<string, string>
                        {
                            ["format"] = FormatName(request.Format),
                            ["file"] = request.FileName,
                            ["sha256"] = sha256,
                            ["sources"] = string.Join(",", parse.Entries.Select(e => e.Source).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)),
                            ["rows"] = (parse.Entries.Count + parse.Errors.Count).ToString(CultureInfo.InvariantCulture),
                            ["added"] = added.ToString(CultureInfo.InvariantCulture),
                            ["changed"] = changed.ToString(CultureInfo.InvariantCulture),
                            ["unchanged"] = unchanged.ToString(CultureInfo.InvariantCulture),
                            ["skipped_humans"] = parse.SkippedHumans.ToString(CultureInfo.InvariantCulture),
                            ["errors"] = parse.Errors.Count.ToString(CultureInfo.InvariantCulture),
                        },
                    },
                    cancellationToken).ConfigureAwait(false);
                sequence = record.Sequence;
            }

            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        return new InventoryImportReport
        {
            FileName = request.FileName,
            Sha256 = sha256,
            Format = FormatName(request.Format),
            DryRun = request.DryRun,
            Rows = parse.Entries.Count + parse.Errors.Count,
            Added = added,
            Changed = changed,
            Unchanged = unchanged,
            SkippedHumans = parse.SkippedHumans,
            Errors = parse.Errors,
            Changes = changes,
            ChangesTruncated = truncated,
            LedgerSequence = sequence,
        };
    }

    public static InventoryParse Parse(InventoryImportRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Format is InventoryFormat.Json or InventoryFormat.KubernetesServiceAccounts)
        {
            return request.Format == InventoryFormat.Json
                ? InventoryJsonParser.Parse(request.Content, request.Options)
                : KubernetesServiceAccountParser.Parse(request.Content, request.Options);
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(request.Content.Span);
        }
        catch (DecoderFallbackException)
        {
            var refused = new InventoryParse();
            refused.Errors.Add(new InventoryRowError(1, "the file is not UTF-8 text"));
            return refused;
        }

        return request.Format == InventoryFormat.Csv
            ? InventoryCsvParser.Parse(text, request.Options)
            : AwsCredentialReportParser.Parse(text, request.Options);
    }

    private static string FormatName(InventoryFormat format) => InventoryFormats.All[(int)format];
}
