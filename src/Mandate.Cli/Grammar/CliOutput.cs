using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Mandate.Cli.Grammar;

/// <summary>
/// Everything a command prints goes through here: one JSON document with <c>--json</c>, else aligned tables
/// (Spectre.Console, no colour, never wrapped) with RFC 3339 UTC times; errors as <c>mandate: error: …</c> on
/// standard error; progress on standard error only when it is a terminal and JSON was not asked for.
/// </summary>
internal sealed class CliOutput
{
    /// <summary>How the API writes JSON (snake_case, nulls left out), so an offline answer has the server's shape.</summary>
    public static readonly JsonSerializerOptions ApiJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    // Printing, not transport: '+' in a time or '<' in a reason is shown as itself instead of \u002B.
    private static readonly JsonWriterOptions Printed = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public CliOutput(TextWriter output, TextWriter error, bool json, bool interactive)
    {
        Out = output;
        Error = error;
        Json = json;
        Interactive = interactive;
    }

    public TextWriter Out { get; }

    public TextWriter Error { get; }

    /// <summary>Whether <c>--json</c> was given.</summary>
    public bool Json { get; }

    /// <summary>Whether standard error is a terminal (progress is shown only then).</summary>
    public bool Interactive { get; }

    /// <summary>An RFC 3339 UTC time (seconds) for tables: <c>2026-01-31T12:00:00Z</c>.</summary>
    public static string Time(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>A JSON value for a table cell: times (any RFC 3339 string) in UTC, arrays joined, null as "-".</summary>
    public static string Cell(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Undefined or JsonValueKind.Null => "-",
        JsonValueKind.String when LooksLikeTime(value.GetString()!) && value.TryGetDateTimeOffset(out var t) => Time(t),
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Array => value.GetArrayLength() == 0 ? "-" : string.Join(", ", value.EnumerateArray().Select(Cell)),
        JsonValueKind.Object => string.Join(", ", value.EnumerateObject().Select(p => p.Name + "=" + Cell(p.Value))),
        JsonValueKind.True => "yes",
        JsonValueKind.False => "no",
        _ => value.GetRawText(),
    };

    /// <summary>The member <paramref name="name"/> of <paramref name="element"/> as a cell ("-" when absent).</summary>
    public static string Cell(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? Cell(value) : "-";

    public Task LineAsync(string text = "") => Out.WriteLineAsync(text);

    /// <summary>Prints a JSON document as it is (indented, nothing escaped that need not be).</summary>
    public async Task JsonAsync(JsonElement document)
    {
        using var buffer = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(buffer, Printed))
        {
            document.WriteTo(writer);
        }

        await Out.WriteLineAsync(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }

    /// <summary>Serializes <paramref name="value"/> the way the API does and prints it.</summary>
    public Task JsonAsync<T>(T value) => JsonAsync(JsonSerializer.SerializeToElement(value, ApiJson));

    /// <summary>An aligned table with a header row.</summary>
    public void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string?>> rows)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(rows);
        var table = new Table { Border = TableBorder.None, ShowHeaders = true };
        foreach (var header in headers)
        {
            table.AddColumn(new TableColumn(new Text(header)) { NoWrap = true, Padding = new Padding(0, 0, 2, 0) });
        }

        foreach (var row in rows)
        {
            table.AddRow(row.Select(cell => (IRenderable)new Text(string.IsNullOrEmpty(cell) ? "-" : cell)).ToArray());
        }

        Render(table);
    }

    /// <summary>Name and value pairs, aligned (one object shown by a <c>show</c> verb).</summary>
    public void Fields(IEnumerable<(string Name, string? Value)> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var grid = new Grid();
        grid.AddColumn(new GridColumn { NoWrap = true, Padding = new Padding(0, 0, 2, 0) });
        grid.AddColumn(new GridColumn { NoWrap = true, Padding = new Padding(0, 0, 0, 0) });
        foreach (var (name, value) in fields)
        {
            if (value is not null and not "-")
            {
                grid.AddRow(new Text(name), new Text(value));
            }
        }

        Render(grid);
    }

    /// <summary>Every member of a JSON object whose value is a scalar or a short list, as name and value pairs.</summary>
    public void Fields(JsonElement element, params string[] skip)
    {
        Fields(element.EnumerateObject()
            .Where(p => !skip.Contains(p.Name, StringComparer.Ordinal))
            .Select(p => (p.Name, (string?)Cell(p.Value))));
    }

    public Task ErrorAsync(string message) => Error.WriteLineAsync("mandate: error: " + message);

    public Task WarningAsync(string message) => Error.WriteLineAsync("mandate: warning: " + message);

    /// <summary>A note on standard error that is not an error (what was written where, say); standard output stays the result alone.</summary>
    public Task NoteAsync(string message) => Error.WriteLineAsync(message);

    /// <summary>
    /// Runs <paramref name="work"/> with a progress bar on standard error when it is a terminal and JSON was not
    /// asked for; otherwise runs it as it is. <paramref name="work"/> reports how far it got (in <paramref name="unit"/>);
    /// with an unknown <paramref name="total"/> the bar is indeterminate and shows the count.
    /// </summary>
    public async Task<T> ProgressAsync<T>(string description, long? total, string unit, Func<Action<long>, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (!Interactive || Json)
        {
            return await work(_ => { });
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        T result = default!;
        await console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(description, maxValue: total is > 0 ? total.Value : 1);
                task.IsIndeterminate = total is not > 0;
                result = await work(done =>
                {
                    task.Value = total is > 0 ? Math.Min(done, total.Value) : 0;
                    task.Description = string.Create(CultureInfo.InvariantCulture, $"{description} ({done} {unit})");
                });
                task.Value = task.MaxValue;
            });
        return result;
    }

    /// <summary>Renders without colour, never wrapped (a table is as wide as its content), trailing blanks trimmed.</summary>
    private void Render(IRenderable renderable)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(text),
        });
        console.Profile.Width = 1 << 14;
        console.Write(renderable);
        foreach (var line in text.ToString().Split('\n'))
        {
            if (line.TrimEnd() is { Length: > 0 } trimmed)
            {
                Out.WriteLine(trimmed);
            }
        }
    }

    private static bool LooksLikeTime(string text) =>
        text.Length >= 20 && text.Length <= 40 && char.IsAsciiDigit(text[0]) && text[4] == '-' && text[7] == '-' && (text[10] == 'T' || text[10] == 't');
}
