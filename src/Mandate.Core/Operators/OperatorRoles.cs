using System.Diagnostics.CodeAnalysis;

namespace Mandate.Core.Operators;

/// <summary>Role names on the wire and in the store, and which held roles satisfy a required one.</summary>
internal static class OperatorRoles
{
    /// <summary>Every role, least first.</summary>
    public static IReadOnlyList<OperatorRole> All { get; } = [OperatorRole.Auditor, OperatorRole.Reviewer, OperatorRole.Approver, OperatorRole.Security, OperatorRole.Admin];

    public static string Name(OperatorRole role) => role switch
    {
        OperatorRole.Auditor => "auditor",
        OperatorRole.Reviewer => "reviewer",
        OperatorRole.Approver => "approver",
        OperatorRole.Security => "security",
        OperatorRole.Admin => "admin",
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };

    public static bool TryParse([NotNullWhen(true)] string? text, out OperatorRole role)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(Name(candidate), text, StringComparison.Ordinal))
            {
                role = candidate;
                return true;
            }
        }

        role = default;
        return false;
    }

    /// <summary>
    /// Whether holding <paramref name="held"/> allows what needs <paramref name="required"/>: <c>admin</c> allows
    /// everything; every role allows what needs <c>auditor</c> (reading); otherwise the role itself is needed.
    /// </summary>
    public static bool Satisfies(IEnumerable<OperatorRole> held, OperatorRole required)
    {
        ArgumentNullException.ThrowIfNull(held);
        foreach (var role in held)
        {
            if (role == OperatorRole.Admin || role == required || required == OperatorRole.Auditor)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Roles in a canonical order (least first, no repeats), as stored: <c>auditor,security</c>.</summary>
    public static string Format(IEnumerable<OperatorRole> roles) => string.Join(',', Normalize(roles).Select(Name));

    public static IReadOnlyList<OperatorRole> Normalize(IEnumerable<OperatorRole> roles) => [.. roles.Distinct().Order()];

    /// <summary>Parses a stored list; unknown names are dropped (a newer build's role grants nothing here).</summary>
    public static IReadOnlyList<OperatorRole> ParseStored(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var roles = new List<OperatorRole>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (TryParse(part, out var role))
            {
                roles.Add(role);
            }
        }

        return Normalize(roles);
    }
}
