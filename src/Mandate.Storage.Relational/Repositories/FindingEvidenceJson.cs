using System.Buffers;
using System.Text;
using System.Text.Json;
using Mandate.Core.Governance.Findings;

namespace Mandate.Storage.Relational.Repositories;

/// <summary>
/// A finding's evidence as stored: a JSON array of objects with snake_case names and no null members. Written with a
/// <see cref="Utf8JsonWriter"/> and property names encoded once, because a first recompute encodes hundreds of
/// thousands of lists and the serializer's per-call metadata work cost more than the writing; the text is the one
/// <see cref="JsonSerializer"/> gives with <see cref="Options"/> (the same default encoder, the same member order),
/// and it is read back with the serializer.
/// </summary>
internal static class FindingEvidenceJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly JsonEncodedText Kind = JsonEncodedText.Encode("kind");
    private static readonly JsonEncodedText Sequence = JsonEncodedText.Encode("sequence");
    private static readonly JsonEncodedText Name = JsonEncodedText.Encode("name");
    private static readonly JsonEncodedText Value = JsonEncodedText.Encode("value");
    private static readonly JsonEncodedText Source = JsonEncodedText.Encode("source");
    private static readonly JsonEncodedText Id = JsonEncodedText.Encode("id");

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? writer;

    public static string Encode(IReadOnlyList<FindingEvidence> evidence) => Encoding.UTF8.GetString(EncodeUtf8(evidence));

    /// <summary>The JSON as UTF-8, in a buffer of this thread's that the next call on the thread overwrites.</summary>
    public static ReadOnlySpan<byte> EncodeUtf8(IReadOnlyList<FindingEvidence> evidence)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        var output = buffer ??= new ArrayBufferWriter<byte>(512);
        output.ResetWrittenCount();
        var json = writer ??= new Utf8JsonWriter(output);
        json.Reset(output);
        json.WriteStartArray();
        foreach (var e in evidence)
        {
            json.WriteStartObject();
            json.WriteString(Kind, e.Kind);
            if (e.Sequence is { } sequence)
            {
                json.WriteNumber(Sequence, sequence);
            }

            WriteIfPresent(json, Name, e.Name);
            WriteIfPresent(json, Value, e.Value);
            WriteIfPresent(json, Source, e.Source);
            WriteIfPresent(json, Id, e.Id);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.Flush();
        return output.WrittenSpan;
    }

    public static List<FindingEvidence> Decode(string json) => JsonSerializer.Deserialize<List<FindingEvidence>>(json, Options) ?? [];

    private static void WriteIfPresent(Utf8JsonWriter json, JsonEncodedText name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }
}
