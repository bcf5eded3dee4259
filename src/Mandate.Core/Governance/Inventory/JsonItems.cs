using System.Text.Json;

namespace Mandate.Core.Governance.Inventory;

/// <summary>
/// The elements of one top-level array property of a JSON document, each with the line it starts on, so a bad item
/// is reported as <c>file:line</c>. Malformed JSON stops the read with the line the parser names.
/// </summary>
internal static class JsonItems
{
    public sealed record Item(long Line, JsonElement Element);

    /// <summary>Returns the items, the top-level properties other than the array (as raw text), or an error.</summary>
    public static (List<Item> Items, Dictionary<string, JsonElement> Others, InventoryRowError? Error) Read(ReadOnlyMemory<byte> utf8, string arrayProperty)
    {
        var items = new List<Item>();
        var others = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var lineStarts = LineStarts(utf8.Span);
        try
        {
            var reader = new Utf8JsonReader(utf8.Span, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return (items, others, new InventoryRowError(1, "expected a JSON object"));
            }

            var found = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                reader.Read();
                if (name == arrayProperty && !found)
                {
                    found = true;
                    if (reader.TokenType != JsonTokenType.StartArray)
                    {
                        return (items, others, new InventoryRowError(LineOf(lineStarts, reader.TokenStartIndex), $"'{arrayProperty}' must be an array"));
                    }

                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        var line = LineOf(lineStarts, reader.TokenStartIndex);
                        using var document = JsonDocument.ParseValue(ref reader);
                        items.Add(new Item(line, document.RootElement.Clone()));
                    }
                }
                else
                {
                    using var document = JsonDocument.ParseValue(ref reader);
                    others[name] = document.RootElement.Clone();
                }
            }

            if (!found)
            {
                return (items, others, new InventoryRowError(1, $"no '{arrayProperty}' array"));
            }

            return (items, others, null);
        }
        catch (JsonException e)
        {
            return (items, others, new InventoryRowError(JsonErrorText.Line(e), $"malformed JSON at column {JsonErrorText.Column(e)}: {JsonErrorText.Reason(e)}"));
        }
    }

    private static List<int> LineStarts(ReadOnlySpan<byte> utf8)
    {
        var starts = new List<int> { 0 };
        for (var i = 0; i < utf8.Length; i++)
        {
            if (utf8[i] == (byte)'\n')
            {
                starts.Add(i + 1);
            }
        }

        return starts;
    }

    private static long LineOf(List<int> starts, long offset)
    {
        var index = starts.BinarySearch((int)offset);
        return (index >= 0 ? index : ~index - 1) + 1;
    }
}
