namespace Mandate.Cedar.Schemas;

/// <summary>Compares two resolved schemas structurally (used to check that both syntaxes mean the same thing).</summary>
internal static class SchemaEquivalence
{
    /// <summary>Null when equivalent; otherwise the first difference found, in words.</summary>
    public static string? Difference(SchemaModel left, SchemaModel right)
    {
        if (!left.EntityTypes.Keys.Order(StringComparer.Ordinal).SequenceEqual(right.EntityTypes.Keys.Order(StringComparer.Ordinal), StringComparer.Ordinal))
        {
            return $"entity types differ: [{string.Join(", ", left.EntityTypes.Keys)}] vs [{string.Join(", ", right.EntityTypes.Keys)}]";
        }

        foreach (var (name, l) in left.EntityTypes)
        {
            var r = right.EntityTypes[name];
            if (!l.MemberOfTypes.SetEquals(r.MemberOfTypes))
            {
                return $"entity type {name}: memberOfTypes differ";
            }

            if (!l.Attributes.IsEquivalentTo(r.Attributes))
            {
                return $"entity type {name}: attributes differ: {l.Attributes} vs {r.Attributes}";
            }

            if ((l.Tags is null) != (r.Tags is null) || (l.Tags is not null && !l.Tags.IsEquivalentTo(r.Tags!)))
            {
                return $"entity type {name}: tags differ";
            }

            if ((l.EnumValues is null) != (r.EnumValues is null)
                || (l.EnumValues is not null && !l.EnumValues.SequenceEqual(r.EnumValues!, StringComparer.Ordinal)))
            {
                return $"entity type {name}: enum values differ";
            }

            if (!SameAnnotations(l.Annotations, r.Annotations))
            {
                return $"entity type {name}: annotations differ";
            }
        }

        if (left.Actions.Count != right.Actions.Count)
        {
            return "action counts differ";
        }

        foreach (var (uid, l) in left.Actions)
        {
            if (!right.Actions.TryGetValue(uid, out var r))
            {
                return $"action {uid} missing";
            }

            if (!l.Ancestors.SetEquals(r.Ancestors) || !l.PrincipalTypes.Order(StringComparer.Ordinal).SequenceEqual(r.PrincipalTypes.Order(StringComparer.Ordinal), StringComparer.Ordinal)
                || !l.ResourceTypes.Order(StringComparer.Ordinal).SequenceEqual(r.ResourceTypes.Order(StringComparer.Ordinal), StringComparer.Ordinal)
                || !l.Context.IsEquivalentTo(r.Context))
            {
                return $"action {uid} differs";
            }

            if (!SameAnnotations(l.Annotations, r.Annotations))
            {
                return $"action {uid}: annotations differ";
            }
        }

        return null;
    }

    private static bool SameAnnotations(IReadOnlyDictionary<string, string?> l, IReadOnlyDictionary<string, string?> r) =>
        l.Count == r.Count && l.All(kv => r.TryGetValue(kv.Key, out var v) && string.Equals(v ?? "", kv.Value ?? "", StringComparison.Ordinal));
}
