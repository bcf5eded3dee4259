using System.Text.Json;

namespace Mandate.Core.Governance.Inventory;

/// <summary>
/// <c>kubectl get serviceaccounts -A -o json</c>: a <c>List</c> of <c>ServiceAccount</c>s. Each becomes a <c>k8s</c>
/// identity <c>namespace/name</c>, owned by the value of the owner annotation, else the label of that name, else the
/// default owner; created when its metadata says.
/// </summary>
internal static class KubernetesServiceAccountParser
{
    public const string Source = "k8s";

    public static InventoryParse Parse(ReadOnlyMemory<byte> utf8, InventoryParseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new InventoryParse();
        var (items, others, error) = JsonItems.Read(utf8, "items");
        if (error is not null)
        {
            result.Errors.Add(error);
            return result;
        }

        if (others.TryGetValue("kind", out var kind) && (kind.ValueKind != JsonValueKind.String || kind.GetString() is not ("List" or "ServiceAccountList")))
        {
            result.Errors.Add(new InventoryRowError(1, "kind: expected List or ServiceAccountList (kubectl get serviceaccounts -A -o json)"));
            return result;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            try
            {
                var entry = Entry(item.Element, options);
                if (!seen.Add(entry.ExternalId))
                {
                    throw new FormatException($"{entry.ExternalId} appears twice");
                }

                result.Entries.Add(entry with { Line = item.Line });
            }
            catch (FormatException e)
            {
                result.Errors.Add(new InventoryRowError(item.Line, e.Message));
            }
        }

        return result;
    }

    private static InventoryEntry Entry(JsonElement item, InventoryParseOptions options)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("an item is not an object");
        }

        if (item.TryGetProperty("kind", out var kind) && kind.ValueKind == JsonValueKind.String && kind.GetString() != "ServiceAccount")
        {
            throw new FormatException($"kind: {kind.GetString()} is not a ServiceAccount");
        }

        if (!item.TryGetProperty("metadata", out var metadata) || metadata.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("metadata: required");
        }

        var name = Text(metadata, "name") ?? throw new FormatException("metadata.name: required");
        var ns = Text(metadata, "namespace") ?? throw new FormatException("metadata.namespace: required (list with -A)");
        if (name.Contains('/', StringComparison.Ordinal) || ns.Contains('/', StringComparison.Ordinal))
        {
            throw new FormatException("metadata.name and metadata.namespace cannot hold '/'");
        }

        var created = Text(metadata, "creationTimestamp") is { } c
            ? InventoryFields.Time(c, "metadata.creationTimestamp")
            : null;
        var annotations = Map(metadata, "annotations");
        var labels = Map(metadata, "labels");
        var owner = annotations.GetValueOrDefault(options.OwnerAnnotation) ?? labels.GetValueOrDefault(options.OwnerAnnotation);
        var kept = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["k8s.namespace"] = ns };
        foreach (var (key, value) in labels.Take(31))
        {
            if (key.Length <= 63)
            {
                InventoryFields.Label(kept, key, value.Length > 256 ? value[..256] : value);
            }
        }

        return new InventoryEntry
        {
            Source = Source,
            ExternalId = InventoryFields.ExternalId(ns + "/" + name),
            Kind = "service_account",
            Owner = InventoryFields.Owner(owner, options.DefaultOwner),
            Purpose = InventoryFields.Purpose(annotations.GetValueOrDefault("mandate.io/purpose")),
            Status = "active",
            CreatedAt = created,
            Labels = kept,
        };
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static Dictionary<string, string> Map(JsonElement metadata, string name)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (metadata.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in value.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.String)
                {
                    map[property.Name] = property.Value.GetString()!;
                }
            }
        }

        return map;
    }
}
