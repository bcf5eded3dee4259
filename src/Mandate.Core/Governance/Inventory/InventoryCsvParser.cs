namespace Mandate.Core.Governance.Inventory;

/// <summary>
/// Mandate's own CSV inventory: a header row, then one row per identity × credential (identity columns repeated, the
/// credential columns empty for an identity without one). Rows of one identity must agree on its columns.
/// </summary>
internal static class InventoryCsvParser
{
    public static readonly IReadOnlyList<string> Columns =
    [
        "source", "external_id", "kind", "owner", "purpose", "status", "created_at", "expires_at", "labels",
        "credential_slot", "credential_kind", "credential_id", "credential_active", "credential_created_at",
        "credential_last_rotated_at", "credential_last_used_at", "credential_last_used_region", "credential_last_used_service",
        "credential_expires_at", "credential_fingerprint",
    ];

    public static InventoryParse Parse(string text, InventoryParseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new InventoryParse();
        Dictionary<string, int>? columns = null;
        var byKey = new Dictionary<(string, string), int>();
        foreach (var record in CsvRecords.Read(text))
        {
            if (columns is null)
            {
                columns = new Dictionary<string, int>(StringComparer.Ordinal);
                for (var i = 0; i < record.Fields.Count; i++)
                {
                    var name = record.Fields[i].Trim();
                    if (!Columns.Contains(name) || !columns.TryAdd(name, i))
                    {
                        result.Errors.Add(new InventoryRowError(record.Line, $"header: '{name}' is not a column (or is repeated); columns are {string.Join(",", Columns)}"));
                        return result;
                    }
                }

                if (!columns.ContainsKey("source") || !columns.ContainsKey("external_id"))
                {
                    result.Errors.Add(new InventoryRowError(record.Line, "header: source and external_id are required columns"));
                    return result;
                }

                continue;
            }

            if (record.Error is not null || record.Fields.Count != columns.Count)
            {
                result.Errors.Add(new InventoryRowError(record.Line, record.Error ?? $"{record.Fields.Count} fields where the header has {columns.Count}"));
                continue;
            }

            try
            {
                string? Get(string name) => columns.TryGetValue(name, out var i) ? record.Fields[i] : null;
                var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
                if (Get("labels") is { Length: > 0 } labelText)
                {
                    foreach (var pair in labelText.Split(';', StringSplitOptions.RemoveEmptyEntries))
                    {
                        var equals = pair.IndexOf('=', StringComparison.Ordinal);
                        if (equals <= 0)
                        {
                            throw new FormatException($"labels: '{pair}' is not key=value (pairs separated by ';')");
                        }

                        InventoryFields.Label(labels, pair[..equals].Trim(), pair[(equals + 1)..].Trim());
                    }
                }

                List<InventoryCredential> credentials = [];
                if (Get("credential_slot") is { Length: > 0 } slot)
                {
                    credentials.Add(new InventoryCredential
                    {
                        Slot = InventoryFields.Slot(slot),
                        Kind = InventoryFields.CredentialKind(Get("credential_kind")),
                        CredentialId = InventoryFields.CredentialId(Get("credential_id")),
                        Active = Get("credential_active")?.Trim() switch
                        {
                            null or "" or "true" => true,
                            "false" => false,
                            var other => throw new FormatException($"credential_active: true or false, got '{other}'"),
                        },
                        CreatedAt = InventoryFields.Time(Get("credential_created_at"), "credential_created_at"),
                        LastRotatedAt = InventoryFields.Time(Get("credential_last_rotated_at"), "credential_last_rotated_at"),
                        LastUsedAt = InventoryFields.Time(Get("credential_last_used_at"), "credential_last_used_at"),
                        LastUsedRegion = InventoryFields.Short(Get("credential_last_used_region"), "credential_last_used_region"),
                        LastUsedService = InventoryFields.Short(Get("credential_last_used_service"), "credential_last_used_service"),
                        ExpiresAt = InventoryFields.Time(Get("credential_expires_at"), "credential_expires_at"),
                        Fingerprint = InventoryFields.Fingerprint(Get("credential_fingerprint")),
                    });
                }
                else if (columns.Keys.Any(k => k.StartsWith("credential_", StringComparison.Ordinal) && k != "credential_slot" && Get(k) is { Length: > 0 }))
                {
                    throw new FormatException("credential_slot: required when any credential column is filled");
                }

                var entry = new InventoryEntry
                {
                    Source = InventoryFields.SourceName(Get("source")),
                    ExternalId = InventoryFields.ExternalId(Get("external_id")),
                    Kind = InventoryFields.Kind(Get("kind")),
                    Owner = InventoryFields.Owner(Get("owner"), options.DefaultOwner),
                    Purpose = InventoryFields.Purpose(Get("purpose")),
                    Status = InventoryFields.Status(Get("status")),
                    CreatedAt = InventoryFields.Time(Get("created_at"), "created_at"),
                    ExpiresAt = InventoryFields.Time(Get("expires_at"), "expires_at"),
                    Labels = labels,
                    Credentials = credentials,
                };

                if (byKey.TryGetValue((entry.Source, entry.ExternalId), out var index))
                {
                    var earlier = result.Entries[index];
                    if (!SameIdentity(earlier, entry))
                    {
                        throw new FormatException($"{entry.Source} {entry.ExternalId}: identity columns differ from an earlier row");
                    }

                    if (entry.Credentials.Count == 0 || earlier.Credentials.Any(c => c.Slot == entry.Credentials[0].Slot))
                    {
                        throw new FormatException($"{entry.Source} {entry.ExternalId}: repeats an earlier row (a second row adds a credential with a new slot)");
                    }

                    if (earlier.Credentials.Count >= InventoryFields.MaxCredentials)
                    {
                        throw new FormatException($"at most {InventoryFields.MaxCredentials} credentials per identity");
                    }

                    result.Entries[index] = Normalize(earlier with { Credentials = [.. earlier.Credentials, entry.Credentials[0]] });
                }
                else
                {
                    byKey[(entry.Source, entry.ExternalId)] = result.Entries.Count;
                    result.Entries.Add(entry with { Line = record.Line });
                }
            }
            catch (FormatException e)
            {
                result.Errors.Add(new InventoryRowError(record.Line, e.Message));
            }
        }

        if (columns is null)
        {
            result.Errors.Add(new InventoryRowError(1, "empty file: a header row is required"));
        }

        return result;
    }

    /// <summary>Credentials ordered by slot, unique, at most <see cref="InventoryFields.MaxCredentials"/>.</summary>
    public static InventoryEntry Normalize(InventoryEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Credentials.Count > InventoryFields.MaxCredentials)
        {
            throw new FormatException($"at most {InventoryFields.MaxCredentials} credentials per identity");
        }

        if (entry.Credentials.Select(c => c.Slot).Distinct(StringComparer.Ordinal).Count() != entry.Credentials.Count)
        {
            throw new FormatException("credentials: each slot at most once");
        }

        return entry with { Credentials = [.. entry.Credentials.OrderBy(c => c.Slot, StringComparer.Ordinal)] };
    }

    private static bool SameIdentity(InventoryEntry a, InventoryEntry b) =>
        a.Kind == b.Kind && a.Owner == b.Owner && a.Purpose == b.Purpose && a.Status == b.Status && a.CreatedAt == b.CreatedAt
        && a.ExpiresAt == b.ExpiresAt && a.Labels.Count == b.Labels.Count && a.Labels.All(l => b.Labels.TryGetValue(l.Key, out var v) && v == l.Value);
}
