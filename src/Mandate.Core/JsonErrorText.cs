namespace Mandate.Core;

/// <summary>
/// A System.Text.Json error read for people: the 1-based line and column (bytes, as the reader counts them) and the
/// reason without the reader's own 0-based "Path: … | LineNumber: … | BytePositionInLine: …" suffix, which would
/// contradict the position given in front of it.
/// </summary>
internal static class JsonErrorText
{
    /// <summary>The line of the error in a text whose first line is <paramref name="firstLine"/>.</summary>
    public static long Line(System.Text.Json.JsonException exception, long firstLine = 1)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return firstLine + (exception.LineNumber ?? 0);
    }

    public static long Column(System.Text.Json.JsonException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return (exception.BytePositionInLine ?? 0) + 1;
    }

    /// <summary>The message's first sentence, which is what went wrong.</summary>
    public static string Reason(System.Text.Json.JsonException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var message = exception.Message;
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end > 0 ? message[..(end + 1)] : message;
    }
}
