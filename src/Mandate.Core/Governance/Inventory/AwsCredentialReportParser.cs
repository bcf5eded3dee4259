namespace Mandate.Core.Governance.Inventory;

/// <summary>
/// The IAM credential report CSV as AWS writes it. Machine users become <c>aws</c> identities keyed by ARN with their
/// access keys and signing certificates as credentials (metadata only: the report holds no secret). Users with a console
/// password and the <c>&lt;root_account&gt;</c> row are people: skipped and counted.
/// </summary>
internal static class AwsCredentialReportParser
{
    public const string Source = "aws";
    private const string RootAccount = "<root_account>";

    private static readonly string[] Required =
    [
        "user", "arn", "user_creation_time", "password_enabled",
        "access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date", "access_key_1_last_used_region", "access_key_1_last_used_service",
        "access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date", "access_key_2_last_used_region", "access_key_2_last_used_service",
        "cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated",
    ];

    public static InventoryParse Parse(string text, InventoryParseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new InventoryParse();
        Dictionary<string, int>? columns = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var record in CsvRecords.Read(text))
        {
            if (columns is null)
            {
                columns = new Dictionary<string, int>(StringComparer.Ordinal);
                for (var i = 0; i < record.Fields.Count; i++)
                {
                    columns.TryAdd(record.Fields[i].Trim(), i);
                }

                var missing = Required.Where(c => !columns.ContainsKey(c)).ToList();
                if (record.Error is not null || missing.Count > 0)
                {
                    result.Errors.Add(new InventoryRowError(record.Line, $"not an IAM credential report header: missing column(s) {string.Join(", ", missing)}"));
                    return result;
                }

                continue;
            }

            if (record.Error is not null)
            {
                result.Errors.Add(new InventoryRowError(record.Line, record.Error));
                continue;
            }

            if (record.Fields.Count != columns.Count)
            {
                result.Errors.Add(new InventoryRowError(record.Line, $"{record.Fields.Count} fields where the header has {columns.Count}"));
                continue;
            }

            var row = new Row(record.Fields, columns);
            var user = row["user"];
            if (user == RootAccount)
            {
                result.SkippedHumans++;
                continue;
            }

            try
            {
                var passwordEnabled = Flag(row, "password_enabled");
                if (passwordEnabled == true)
                {
                    result.SkippedHumans++;
                    continue;
                }

                var entry = Entry(row, options);
                if (!seen.Add(entry.ExternalId))
                {
                    throw new FormatException($"arn: {entry.ExternalId} appears twice in the report");
                }

                result.Entries.Add(entry with { Line = record.Line });
            }
            catch (FormatException e)
            {
                result.Errors.Add(new InventoryRowError(record.Line, e.Message));
            }
        }

        if (columns is null)
        {
            result.Errors.Add(new InventoryRowError(1, "empty file: an IAM credential report starts with its header"));
        }

        return result;
    }

    private static InventoryEntry Entry(Row row, InventoryParseOptions options)
    {
        var user = row["user"];
        var arn = row["arn"];
        if (user.Length == 0)
        {
            throw new FormatException("user: empty");
        }

        if (!arn.StartsWith("arn:aws", StringComparison.Ordinal) || !arn.Contains(":user/", StringComparison.Ordinal) || arn.Any(char.IsWhiteSpace))
        {
            throw new FormatException($"arn: '{arn}' is not an IAM user ARN");
        }

        var created = Time(row, "user_creation_time") ?? throw new FormatException("user_creation_time: required");
        var credentials = new List<InventoryCredential>();
        for (var n = 1; n <= 2; n++)
        {
            var slot = $"access_key_{n}";
            var active = Flag(row, slot + "_active") ?? throw new FormatException($"{slot}_active: expected true or false, got '{row[slot + "_active"]}'");
            var rotated = Time(row, slot + "_last_rotated");
            if (rotated is null && !active)
            {
                continue; // No key in this slot.
            }

            credentials.Add(new InventoryCredential
            {
                Slot = slot,
                Kind = "access_key",
                Active = active,
                CreatedAt = rotated,
                LastRotatedAt = rotated,
                LastUsedAt = Time(row, slot + "_last_used_date"),
                LastUsedRegion = Text(row[slot + "_last_used_region"]),
                LastUsedService = Text(row[slot + "_last_used_service"]),
            });
        }

        for (var n = 1; n <= 2; n++)
        {
            var slot = $"cert_{n}";
            var active = Flag(row, slot + "_active") ?? throw new FormatException($"{slot}_active: expected true or false, got '{row[slot + "_active"]}'");
            var rotated = Time(row, slot + "_last_rotated");
            if (rotated is null && !active)
            {
                continue;
            }

            credentials.Add(new InventoryCredential { Slot = slot, Kind = "certificate", Active = active, CreatedAt = rotated, LastRotatedAt = rotated });
        }

        return new InventoryEntry
        {
            Source = Source,
            ExternalId = arn,
            Kind = "service_account",
            Owner = options.DefaultOwner,
            Status = "active",
            CreatedAt = created,
            Labels = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["aws.user"] = user },
            Credentials = credentials,
        };
    }

    /// <summary>true, false, or null for the report's "no value" words (root's <c>not_supported</c>).</summary>
    private static bool? Flag(Row row, string column) => row[column] switch
    {
        "true" or "TRUE" => true,
        "false" or "FALSE" => false,
        "N/A" or "not_supported" or "no_information" => null,
        var other => throw new FormatException($"{column}: expected true or false, got '{other}'"),
    };

    private static DateTimeOffset? Time(Row row, string column)
    {
        var text = row[column];
        if (Text(text) is null)
        {
            return null;
        }

        return InventoryTimes.TryParse(text, out var at) ? at : throw new FormatException($"{column}: '{text}' is not an ISO 8601 time");
    }

    private static string? Text(string value) => value is "" or "N/A" or "no_information" or "not_supported" ? null : value;

    private readonly struct Row(IReadOnlyList<string> fields, Dictionary<string, int> columns)
    {
        public string this[string column] => fields[columns[column]].Trim();
    }
}
