using Mandate.Cedar;

namespace Mandate.Core.Policies;

/// <summary>
/// What changed between two stored policy versions, policy by policy: each policy is known by its <c>@id</c>
/// annotation, or else by its id in the compiled set (its file and position, <c>file.policyN</c>), and compared as
/// formatted Cedar text, so a change of layout alone is not a change. The entities and the schema are compared as text.
/// </summary>
internal static class PolicyVersionDiff
{
    public static PolicyBundleDiff Compare(PolicyBundle before, PolicyBundle after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var old = Policies(before);
        var @new = Policies(after);
        var changes = new List<PolicyChange>();
        foreach (var (id, text) in old)
        {
            if (!@new.TryGetValue(id, out var newText))
            {
                changes.Add(new PolicyChange(id, PolicyChangeKind.Removed, PolicyTextDiff.Hunks(text, string.Empty)));
            }
            else if (!string.Equals(text, newText, StringComparison.Ordinal))
            {
                changes.Add(new PolicyChange(id, PolicyChangeKind.Changed, PolicyTextDiff.Hunks(text, newText)));
            }
        }

        foreach (var (id, text) in @new)
        {
            if (!old.ContainsKey(id))
            {
                changes.Add(new PolicyChange(id, PolicyChangeKind.Added, PolicyTextDiff.Hunks(string.Empty, text)));
            }
        }

        return new PolicyBundleDiff(
            [.. changes.OrderBy(c => c.Id, StringComparer.Ordinal)],
            old.Count(p => @new.TryGetValue(p.Key, out var t) && string.Equals(p.Value, t, StringComparison.Ordinal)),
            TextChange(PolicyBundle.EntitiesFileName, before.EntitiesJson, after.EntitiesJson),
            TextChange(PolicyBundle.SchemaFileName, before.Schema, after.Schema));
    }

    /// <summary>Each policy's formatted text by id; a stored version always parsed (it compiled before it was stored).</summary>
    private static Dictionary<string, string> Policies(PolicyBundle bundle)
    {
        var byId = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in bundle.Policies)
        {
            if (!PolicySet.TryParse(file.Text, file.Name, PolicyCompiler.IdPrefix(file.Name), out var set, out _))
            {
                // Not expected of a stored version; compared as one text rather than left out.
                byId[file.Name] = file.Text;
                continue;
            }

            foreach (var policy in set.Policies)
            {
                var id = policy.Annotations.TryGetValue("id", out var annotated) && !string.IsNullOrEmpty(annotated) ? annotated : policy.Id;
                byId[id] = policy.ToString();
            }
        }

        return byId;
    }

    private static PolicyChange? TextChange(string name, string? before, string? after)
    {
        if (string.Equals(before ?? string.Empty, after ?? string.Empty, StringComparison.Ordinal))
        {
            return null;
        }

        var kind = string.IsNullOrEmpty(before) ? PolicyChangeKind.Added : string.IsNullOrEmpty(after) ? PolicyChangeKind.Removed : PolicyChangeKind.Changed;
        return new PolicyChange(name, kind, PolicyTextDiff.Hunks(before ?? string.Empty, after ?? string.Empty));
    }
}
