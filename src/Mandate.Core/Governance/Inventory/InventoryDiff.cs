namespace Mandate.Core.Governance.Inventory;

/// <summary>The fields an import would change on a stored entry, by name (<c>owner</c>, <c>credentials.access_key_1.last_used_at</c>).</summary>
internal static class InventoryDiff
{
    public static IReadOnlyList<string> Changes(InventoryEntry stored, InventoryEntry incoming)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(incoming);
        var changed = new List<string>();
        void Check<T>(string name, T a, T b)
        {
            if (!EqualityComparer<T>.Default.Equals(a, b))
            {
                changed.Add(name);
            }
        }

        Check("kind", stored.Kind, incoming.Kind);
        Check("owner", stored.Owner, incoming.Owner);
        Check("purpose", stored.Purpose, incoming.Purpose);
        Check("status", stored.Status, incoming.Status);
        Check("created_at", stored.CreatedAt, incoming.CreatedAt);
        Check("expires_at", stored.ExpiresAt, incoming.ExpiresAt);
        if (stored.Labels.Count != incoming.Labels.Count || stored.Labels.Any(l => !incoming.Labels.TryGetValue(l.Key, out var v) || v != l.Value))
        {
            changed.Add("labels");
        }

        var before = stored.Credentials.ToDictionary(c => c.Slot, StringComparer.Ordinal);
        var after = incoming.Credentials.ToDictionary(c => c.Slot, StringComparer.Ordinal);
        foreach (var slot in before.Keys.Union(after.Keys).Order(StringComparer.Ordinal))
        {
            var prefix = "credentials." + slot;
            if (!before.TryGetValue(slot, out var a))
            {
                changed.Add(prefix + " (added)");
                continue;
            }

            if (!after.TryGetValue(slot, out var b))
            {
                changed.Add(prefix + " (removed)");
                continue;
            }

            Check(prefix + ".kind", a.Kind, b.Kind);
            Check(prefix + ".id", a.CredentialId, b.CredentialId);
            Check(prefix + ".active", a.Active, b.Active);
            Check(prefix + ".created_at", a.CreatedAt, b.CreatedAt);
            Check(prefix + ".last_rotated_at", a.LastRotatedAt, b.LastRotatedAt);
            Check(prefix + ".last_used_at", a.LastUsedAt, b.LastUsedAt);
            Check(prefix + ".last_used_region", a.LastUsedRegion, b.LastUsedRegion);
            Check(prefix + ".last_used_service", a.LastUsedService, b.LastUsedService);
            Check(prefix + ".expires_at", a.ExpiresAt, b.ExpiresAt);
            Check(prefix + ".fingerprint", a.Fingerprint, b.Fingerprint);
        }

        return changed;
    }
}
