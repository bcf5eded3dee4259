namespace Mandate.Core.Delegation;

/// <summary>An OAuth scope (RFC 6749 §3.3): space-separated tokens of printable ASCII without <c>"</c> and <c>\</c>.</summary>
internal static class ScopeSet
{
    public static IReadOnlyList<string> Parse(string? scope) =>
        string.IsNullOrWhiteSpace(scope)
            ? []
            : scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList();

    public static bool IsValidToken(string token) =>
        token.Length > 0 && token.All(c => c == '!' || (c >= '#' && c <= '[') || (c >= ']' && c <= '~'));

    public static string Format(IEnumerable<string> scopes) => string.Join(' ', scopes);

    /// <summary>The requested scopes that are not in <paramref name="granted"/> (what a request would widen).</summary>
    public static IReadOnlyList<string> Beyond(IReadOnlyList<string> requested, IReadOnlyList<string> granted) =>
        requested.Where(s => !granted.Contains(s, StringComparer.Ordinal)).ToList();
}
