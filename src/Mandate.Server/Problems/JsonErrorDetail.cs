using System.Globalization;
using System.Text.Json;

namespace Mandate.Server.Problems;

/// <summary>
/// One wording for a body that is not the JSON an endpoint expects: where (1-based line and column, and the JSON path
/// when there is one) and what, without System.Text.Json's 0-based position suffix.
/// </summary>
internal static class JsonErrorDetail
{
    public static string Describe(JsonException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var where = exception.LineNumber is { } line
            ? string.Create(CultureInfo.InvariantCulture, $" at line {line + 1}, column {(exception.BytePositionInLine ?? 0) + 1}")
            : string.Empty;
        var path = exception.Path is { Length: > 1 } member ? $" ({member})" : string.Empty;
        return $"The body is not valid JSON{where}{path}: {FirstSentence(exception.Message)}";
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end > 0 ? message[..(end + 1)] : message;
    }
}
