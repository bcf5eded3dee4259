using System.Globalization;
using System.Text.RegularExpressions;

namespace Mandate.Core;

/// <summary>
/// RFC 3339 date-times as users type them into queries and options: a full date, <c>T</c> (or a space), a time with
/// optional fraction, and a mandatory zone (<c>Z</c> or <c>±hh:mm</c>). Culture-dependent forms such as
/// <c>1/2/2026</c> are refused rather than guessed.
/// </summary>
internal static partial class Rfc3339
{
    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        value = default;
        return text is not null
            && Shape().IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out value);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,7})?([Zz]|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
