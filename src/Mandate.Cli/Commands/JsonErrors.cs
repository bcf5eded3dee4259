using System.Globalization;
using System.Text.Json;

namespace Mandate.Cli.Commands;

/// <summary>
/// A System.Text.Json syntax error as <c>FILE:LINE:COLUMN: not valid JSON (reason)</c>. The reader's message ends with
/// its own 0-based "LineNumber: … | BytePositionInLine: …", which contradicts the 1-based position in front of it, so
/// that suffix is cut. The column counts bytes (UTF-8), as the reader does.
/// </summary>
internal static class JsonErrors
{
    /// <summary>The message for <paramref name="exception"/> in <paramref name="file"/>, whose text started at line <paramref name="firstLine"/> of the file.</summary>
    public static string Describe(string file, JsonException exception, long firstLine = 1) =>
        $"{file}:{Line(exception, firstLine).ToString(CultureInfo.InvariantCulture)}:{Column(exception).ToString(CultureInfo.InvariantCulture)}: not valid JSON ({Reason(exception)})";

    public static long Line(JsonException exception, long firstLine = 1) => firstLine + (exception.LineNumber ?? 0);

    public static long Column(JsonException exception) => (exception.BytePositionInLine ?? 0) + 1;

    public static string Reason(JsonException exception)
    {
        var message = exception.Message;
        var suffix = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (suffix < 0 ? message : message[..suffix]).TrimEnd(' ', '.');
    }
}
