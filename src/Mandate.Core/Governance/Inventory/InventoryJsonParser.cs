using System.Text.Json;

namespace Mandate.Core.Governance.Inventory;

/// <summary>Mandate's own JSON inventory: <c>{"identities":[…]}</c> (docs/inventory.md lists every field).</summary>
internal static class InventoryJsonParser
{
    public static InventoryParse Parse(ReadOnlyMemory<byte> utf8, InventoryParseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new InventoryParse();
        var (items, _, error) = JsonItems.Read(utf8, "identities");
        if (error is not null)
        {
            result.Errors.Add(error);
            return result;
        }

        var seen = new HashSet<(string, string)>();
        foreach (var item in items)
        {
            try
            {
                var entry = Entry(item.Element, options);
                if (!seen.Add((entry.Source, entry.ExternalId)))
                {
                    throw new FormatException($"{entry.Source} {entry.ExternalId} appears twice");
                }

                result.Entries.Add(entry with { Line = item.Line });
            }
            catch (FormatException e)
            {
                result.Errors.Add(new InventoryRowError(item.Line, e.Message));
            }
            catch (InvalidOperationException e)
            {
                result.Errors.Add(new InventoryRowError(item.Line, "a field has the wrong JSON type: " + e.Message));
            }
        }

        return result;
    }

    private static InventoryEntry Entry(JsonElement item, InventoryParseOptions options)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("an identity is a JSON object");
        }

        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (item.TryGetProperty("labels", out var labelElement) && labelElement.ValueKind != JsonValueKind.Null)
        {
            if (labelElement.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("labels: an object of strings");
            }

            foreach (var label in labelElement.EnumerateObject())
            {
                InventoryFields.Label(labels, label.Name, label.Value.ValueKind == JsonValueKind.String ? label.Value.GetString()! : throw new FormatException("labels: values are strings"));
            }
        }

        var credentials = new List<InventoryCredential>();
        if (item.TryGetProperty("credentials", out var credentialElement) && credentialElement.ValueKind != JsonValueKind.Null)
        {
            if (credentialElement.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("credentials: an array");
            }

            foreach (var c in credentialElement.EnumerateArray())
            {
                if (c.ValueKind != JsonValueKind.Object)
                {
                    throw new FormatException("credentials: each is an object");
                }

                if (c.TryGetProperty("secret", out _) || c.TryGetProperty("value", out _))
                {
                    throw new FormatException("credentials: a secret value is never imported (give its fingerprint)");
                }

                credentials.Add(new InventoryCredential
                {
                    Slot = InventoryFields.Slot(Text(c, "slot")),
                    Kind = InventoryFields.CredentialKind(Text(c, "kind")),
                    CredentialId = InventoryFields.CredentialId(Text(c, "id")),
                    Active = !c.TryGetProperty("active", out var active) || active.ValueKind switch
                    {
                        JsonValueKind.True => true,
                        JsonValueKind.False => false,
                        _ => throw new FormatException("credentials.active: true or false"),
                    },
                    CreatedAt = InventoryFields.Time(Text(c, "created_at"), "credentials.created_at"),
                    LastRotatedAt = InventoryFields.Time(Text(c, "last_rotated_at"), "credentials.last_rotated_at"),
                    LastUsedAt = InventoryFields.Time(Text(c, "last_used_at"), "credentials.last_used_at"),
                    LastUsedRegion = InventoryFields.Short(Text(c, "last_used_region"), "credentials.last_used_region"),
                    LastUsedService = InventoryFields.Short(Text(c, "last_used_service"), "credentials.last_used_service"),
                    ExpiresAt = InventoryFields.Time(Text(c, "expires_at"), "credentials.expires_at"),
                    Fingerprint = InventoryFields.Fingerprint(Text(c, "fingerprint")),
                });
            }
        }

        return InventoryCsvParser.Normalize(new InventoryEntry
        {
            Source = InventoryFields.SourceName(Text(item, "source")),
            ExternalId = InventoryFields.ExternalId(Text(item, "external_id")),
            Kind = InventoryFields.Kind(Text(item, "kind")),
            Owner = InventoryFields.Owner(Text(item, "owner"), options.DefaultOwner),
            Purpose = InventoryFields.Purpose(Text(item, "purpose")),
            Status = InventoryFields.Status(Text(item, "status")),
            CreatedAt = InventoryFields.Time(Text(item, "created_at"), "created_at"),
            ExpiresAt = InventoryFields.Time(Text(item, "expires_at"), "expires_at"),
            Labels = labels,
            Credentials = credentials,
        });
    }

    /// <summary>A string property, null when absent or null; any other JSON type is an error naming the field.</summary>
    private static string? Text(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw new FormatException($"{name}: a string");
    }
}
