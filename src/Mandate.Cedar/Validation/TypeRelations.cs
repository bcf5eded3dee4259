namespace Mandate.Cedar.Validation;

/// <summary>Subtyping and least upper bounds of <see cref="ValidatorType"/>s, following Cedar's rules for each mode.</summary>
internal static class TypeRelations
{
    public static bool IsSubtype(ValidatorType t0, ValidatorType t1, ValidationMode mode)
    {
        bool strict = mode == ValidationMode.Strict;
        switch (t0, t1)
        {
            case (_, _) when ReferenceEquals(t0, ValidatorType.Never):
                return true;
            case (BoolType b0, BoolType b1):
                return b1.Kind == BoolKind.Any || b0.Kind == b1.Kind;
            case (SetType s0, SetType s1):
                return s1.Element is null || (s0.Element is not null && IsSubtype(s0.Element, s1.Element, mode));
            case (RecordType r0, RecordType r1):
                if (r0.Open && !r1.Open)
                {
                    return false;
                }

                return (r1.Open && !strict && AttributesSubtype(r0, r1, mode)) || (SameKeys(r0, r1) && AttributesSubtype(r0, r1, mode));
            case (EntityType e0, EntityType e1):
                if (e0.Types is not null && e1.Types is not null)
                {
                    return strict ? e0.Types.SetEquals(e1.Types) : e0.Types.IsSubsetOf(e1.Types);
                }

                if (e0.Types is null && e1.Types is null)
                {
                    return true;
                }

                return e0.Types is not null && !strict;
            case (ExtensionType x0, ExtensionType x1):
                return x0.Equals(x1);
            default:
                return t0.Equals(t1) && t0 is not RecordType and not SetType and not EntityType and not BoolType;
        }
    }

    private static bool SameKeys(RecordType r0, RecordType r1) =>
        r0.Attributes.Count == r1.Attributes.Count && r0.Attributes.Keys.All(r1.Attributes.ContainsKey);

    private static bool AttributesSubtype(RecordType r0, RecordType r1, ValidationMode mode)
    {
        foreach (var (name, a1) in r1.Attributes)
        {
            if (!r0.Attributes.TryGetValue(name, out var a0))
            {
                return false;
            }

            bool qualifier = mode == ValidationMode.Strict ? a0.Required == a1.Required : a0.Required || !a1.Required;
            if (!qualifier || !IsSubtype(a0.Type, a1.Type, mode))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The least upper bound, or null (with <paramref name="reason"/>) when the types have none in this mode.</summary>
    public static ValidatorType? LeastUpperBound(ValidatorType t0, ValidatorType t1, ValidationMode mode, out string? reason)
    {
        reason = null;
        if (IsSubtype(t0, t1, mode))
        {
            return t1;
        }

        if (IsSubtype(t1, t0, mode))
        {
            return t0;
        }

        switch (t0, t1)
        {
            case (BoolType, BoolType):
                return ValidatorType.AnyBool;
            case (SetType s0, SetType s1):
                if (s0.Element is null || s1.Element is null)
                {
                    return ValidatorType.AnySet;
                }

                var element = LeastUpperBound(s0.Element, s1.Element, mode, out reason);
                return element is null ? null : new SetType(element);
            case (RecordType r0, RecordType r1):
                {
                    var attributes = new Dictionary<string, AttributeType>(StringComparer.Ordinal);
                    if (mode == ValidationMode.Strict && !SameKeys(r0, r1))
                    {
                        reason = "records with different attributes have no common type in strict mode";
                        return null;
                    }

                    foreach (var (name, a0) in r0.Attributes)
                    {
                        if (!r1.Attributes.TryGetValue(name, out var a1))
                        {
                            continue;
                        }

                        var lub = LeastUpperBound(a0.Type, a1.Type, mode, out reason);
                        if (lub is null)
                        {
                            if (mode == ValidationMode.Strict)
                            {
                                return null;
                            }

                            continue;
                        }

                        if (mode == ValidationMode.Strict && a0.Required != a1.Required)
                        {
                            reason = $"attribute `{name}` is required in one record and optional in the other";
                            return null;
                        }

                        attributes[name] = new AttributeType(lub, a0.Required && a1.Required);
                    }

                    bool open = r0.Open || r1.Open || attributes.Count != r0.Attributes.Keys.Union(r1.Attributes.Keys).Count();
                    return new RecordType(attributes, open);
                }

            case (EntityType e0, EntityType e1):
                if (mode == ValidationMode.Strict)
                {
                    reason = "different entity types have no common type in strict mode";
                    return null;
                }

                if (e0.Types is null || e1.Types is null)
                {
                    return ValidatorType.AnyEntity;
                }

                return new EntityType(new SortedSet<string>(e0.Types.Union(e1.Types), StringComparer.Ordinal));
            case (EntityType, RecordType) or (RecordType, EntityType):
                reason = "entities and records have no common type";
                return null;
            default:
                reason = null;
                return null;
        }
    }

    public static ValidatorType? LeastUpperBound(IEnumerable<ValidatorType> types, ValidationMode mode, out string? reason)
    {
        ValidatorType result = ValidatorType.Never;
        reason = null;
        foreach (var type in types)
        {
            var next = LeastUpperBound(result, type, mode, out reason);
            if (next is null)
            {
                return null;
            }

            result = next;
        }

        return result;
    }

    /// <summary>True only when two types certainly share no value (used to type <c>==</c> as false).</summary>
    public static bool AreDisjoint(ValidatorType t0, ValidatorType t1) =>
        t0 is EntityType { Types: { } a } && t1 is EntityType { Types: { } b } && !a.Overlaps(b);
}
