using System.Globalization;
using System.Text.Json;
using Mandate.Core;

namespace Mandate.Server.Problems;

/// <summary>One wording for a body that is not the JSON an endpoint expects: where (line, column, and the JSON path when there is one) and what.</summary>
internal static class JsonErrorDetail
{
    public static string Describe(JsonException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var where = exception.LineNumber is not null
            ? string.Create(CultureInfo.InvariantCulture, $" at line {JsonErrorText.Line(exception)}, column {JsonErrorText.Column(exception)}")
            : string.Empty;
        var path = exception.Path is { Length: > 1 } member ? $" ({member})" : string.Empty;
        return $"The body is not valid JSON{where}{path}: {JsonErrorText.Reason(exception)}";
    }
}
