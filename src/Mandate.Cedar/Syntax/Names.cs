namespace Mandate.Cedar.Syntax;

/// <summary>Rules for Cedar identifiers and names.</summary>
internal static class Names
{
    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "true", "false", "if", "then", "else", "in", "is", "has", "like",
    };

    public static bool IsReserved(string identifier) => Reserved.Contains(identifier);

    public static bool IsIdentifier(string text)
    {
        if (text.Length == 0 || !(text[0] == '_' || char.IsAsciiLetter(text[0])))
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!(c == '_' || char.IsAsciiLetterOrDigit(c)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>An identifier usable as an attribute after <c>.</c> or as a record key without quotes.</summary>
    public static bool IsUnreservedIdentifier(string text) => IsIdentifier(text) && !IsReserved(text) && text != "__cedar";

    /// <summary><c>A::B::C</c> where each part is a non-reserved identifier and no part is <c>__cedar</c>.</summary>
    public static bool IsValidTypeName(string text)
    {
        foreach (var part in text.Split("::"))
        {
            if (!IsIdentifier(part) || IsReserved(part) || part == "__cedar")
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Action entity types are <c>Action</c> or <c>NS::Action</c>.</summary>
    public static bool IsActionType(string type) => type == "Action" || type.EndsWith("::Action", StringComparison.Ordinal);
}
