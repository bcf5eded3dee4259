using Mandate.Cedar;
using Mandate.Core.Decisions;

namespace Mandate.Core.Delegation;

/// <summary>
/// Containment of task resource patterns (<c>*</c>, <c>Type</c>, <c>Type::"glob"</c>, see <see cref="TaskScope"/>): whether
/// every resource one pattern covers is covered by another. Decided conservatively: when in doubt, not contained.
/// </summary>
internal static class ResourcePatterns
{
    public static bool Contains(string outer, string inner)
    {
        if (outer == "*")
        {
            return true;
        }

        if (inner == "*" || !TryParse(outer, out var outerType, out var outerId) || !TryParse(inner, out var innerType, out var innerId))
        {
            return false;
        }

        // Type "Ticket" covers "Ticket" and "ns::Ticket"; so the inner type must be the outer one or namespaced below it.
        if (!(innerType == outerType || innerType.EndsWith("::" + outerType, StringComparison.Ordinal)))
        {
            return false;
        }

        if (outerId is null || outerId.All(c => c == '*'))
        {
            return true;
        }

        if (innerId is null)
        {
            return false;
        }

        if (innerId == outerId)
        {
            return true;
        }

        if (!innerId.Contains('*', StringComparison.Ordinal))
        {
            return TaskScope.Covers(outer, new EntityUid(innerType, innerId));
        }

        // "T-1*" inside "T-*": a single trailing wildcard whose prefix the inner pattern starts with.
        var star = outerId.IndexOf('*', StringComparison.Ordinal);
        return star == outerId.Length - 1 && innerId.StartsWith(outerId[..^1], StringComparison.Ordinal);
    }

    private static bool TryParse(string pattern, out string type, out string? id)
    {
        var separator = pattern.IndexOf("::\"", StringComparison.Ordinal);
        if (separator < 0)
        {
            type = pattern;
            id = null;
            return pattern.Length > 0 && !pattern.Contains('"', StringComparison.Ordinal);
        }

        type = pattern[..separator];
        var rest = pattern[(separator + 3)..];
        id = rest.EndsWith('"') ? rest[..^1] : null;
        return id is not null && type.Length > 0;
    }
}
