using Mandate.Cedar;

namespace Mandate.Core.Decisions;

/// <summary>
/// Whether a task's resource patterns cover a resource: <c>*</c> covers everything, <c>Ticket</c> every entity of that
/// type (namespaced or not), and <c>Ticket::"T-*"</c> the ids matching the glob (<c>*</c> matches any run of characters).
/// </summary>
internal static class TaskScope
{
    public static bool Covers(IReadOnlyList<string> patterns, EntityUid resource)
    {
        foreach (var pattern in patterns)
        {
            if (Covers(pattern, resource))
            {
                return true;
            }
        }

        return false;
    }

    public static bool Covers(string pattern, EntityUid resource)
    {
        if (pattern == "*")
        {
            return true;
        }

        var separator = pattern.IndexOf("::\"", StringComparison.Ordinal);
        if (separator < 0)
        {
            return TypeMatches(pattern, resource.Type);
        }

        var type = pattern[..separator];
        var idPattern = pattern[(separator + 3)..];
        if (!idPattern.EndsWith('"'))
        {
            return false;
        }

        return TypeMatches(type, resource.Type) && Glob(idPattern[..^1], resource.Id);
    }

    private static bool TypeMatches(string pattern, string type) =>
        pattern == type || type.EndsWith("::" + pattern, StringComparison.Ordinal);

    /// <summary>
    /// <c>*</c>-only glob: the literal runs between stars are matched in order, the first as a prefix and the last as a
    /// suffix (unless the pattern starts or ends with a star), each middle run at its leftmost occurrence after the
    /// previous one (always right for star-only patterns). No backtracking: every run is searched once, with the
    /// vectorised ordinal <c>IndexOf</c>, so the cost is linear in practice and at worst O(n·k) for a run of length k.
    /// Both sides are bounded before they get here: intent patterns to 512 characters (task validation), resource ids
    /// to <c>Mandate:Decisions:MaxIdentifierLength</c> (256), so the worst case is about 10^5 character comparisons.
    /// </summary>
    internal static bool Glob(string pattern, string text)
    {
        var star = pattern.IndexOf('*', StringComparison.Ordinal);
        if (star < 0)
        {
            return string.Equals(pattern, text, StringComparison.Ordinal);
        }

        var input = text.AsSpan();
        var lastStar = pattern.LastIndexOf('*');
        var prefix = pattern.AsSpan(0, star);
        var suffix = pattern.AsSpan(lastStar + 1);
        if (input.Length < prefix.Length + suffix.Length || !input.StartsWith(prefix, StringComparison.Ordinal) || !input.EndsWith(suffix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = input[prefix.Length..^suffix.Length];
        var middles = lastStar > star ? pattern.AsSpan(star + 1, lastStar - star - 1) : [];
        foreach (var run in middles.Split('*'))
        {
            var middle = middles[run];
            if (middle.IsEmpty)
            {
                continue;
            }

            var found = rest.IndexOf(middle, StringComparison.Ordinal);
            if (found < 0)
            {
                return false;
            }

            rest = rest[(found + middle.Length)..];
        }

        return true;
    }
}
