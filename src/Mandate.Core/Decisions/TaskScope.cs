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

    private static bool Glob(string pattern, string text)
    {
        // Iterative wildcard match with backtracking to the last '*': linear in practice, no regex allocation.
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = t;
            }
            else if (p < pattern.Length && pattern[p] == text[t])
            {
                p++;
                t++;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
