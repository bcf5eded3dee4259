using System.Globalization;
using System.Text.Json;
using Mandate.Core;

namespace Mandate.Cli.Commands;

/// <summary>A System.Text.Json syntax error in a file as <c>FILE:LINE:COLUMN: not valid JSON (reason)</c>; the column counts bytes (UTF-8), as the reader does.</summary>
internal static class JsonErrors
{
    /// <summary>The message for <paramref name="exception"/> in <paramref name="file"/>.</summary>
    public static string Describe(string file, JsonException exception) =>
        string.Create(CultureInfo.InvariantCulture, $"{file}:{JsonErrorText.Line(exception)}:{JsonErrorText.Column(exception)}: not valid JSON ({JsonErrorText.Reason(exception)})");
}
