using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mandate.Core.Policies;

/// <summary>The stored (and admin API) JSON form of a bundle: <c>{"policies":{"name.cedar":"…"},"entities":…,"schema":"…"}</c>.</summary>
internal static class PolicyBundleJson
{
    // Stored and read back as JSON only, never put in HTML: only what JSON itself requires is escaped (a quote as \",
    // not \u0022), so Cedar text full of quotes does not triple in size.
    private const int SliceChars = 16 * 1024;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    /// <summary>
    /// Writes the bundle twice, a slice at a time, through one small byte buffer: once to count the characters, once
    /// decoding straight into the result string. A 10,000-policy bundle of tens of megabytes then costs its string
    /// alone, not the string and a UTF-8 copy of it (or a chain of doubled buffers) at the same time.
    /// </summary>
    public static string Serialize(PolicyBundle bundle)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        var length = Emit(bundle, new Output(counting: true, chars: true));
        return string.Create(length, bundle, static (chars, bundle) =>
        {
            if (Emit(bundle, new Output(chars)) != chars.Length)
            {
                throw new InvalidOperationException("The policy bundle changed while it was being serialized.");
            }
        });
    }

    /// <summary>
    /// The same JSON as <see cref="Serialize"/>, as its UTF-8 bytes (what the stores keep): counted, then written into
    /// one array of the exact size. Stored this way, a bundle costs half the heap of its string and the store's driver
    /// makes no UTF-8 copy of its own.
    /// </summary>
    public static byte[] SerializeToUtf8(PolicyBundle bundle)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        var utf8 = new byte[Emit(bundle, new Output(counting: true, chars: false))];
        if (Emit(bundle, new Output(utf8)) != utf8.Length)
        {
            throw new InvalidOperationException("The policy bundle changed while it was being serialized.");
        }

        return utf8;
    }

    /// <summary>Writes the JSON into <paramref name="output"/>'s destination (or only counts it); its length in
    /// characters or bytes.</summary>
    private static int Emit(PolicyBundle bundle, Output output)
    {
        var bytes = new ArrayBufferWriter<byte>(SliceChars * 4);
        using var writer = new Utf8JsonWriter(bytes, WriterOptions);
        output.Attach(writer, bytes);
        writer.WriteStartObject();
        writer.WriteStartObject("policies");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var policy in bundle.Policies)
        {
            if (!seen.Add(policy.Name))
            {
                throw new ArgumentException($"The bundle names the policy file '{policy.Name}' twice.", nameof(bundle));
            }

            WriteString(ref output, policy.Name, policy.Text);
        }

        writer.WriteEndObject();
        if (bundle.EntitiesJson is { } entities)
        {
            WriteString(ref output, "entities", entities);
        }

        if (bundle.Schema is { } schema)
        {
            WriteString(ref output, "schema", schema);
        }

        writer.WriteEndObject();
        output.Drain(final: true);
        return output.Written;
    }

    /// <summary>
    /// Writes a value in slices: the writer escapes and transcodes a value in a scratch buffer of up to six bytes per
    /// character, which for one entities file of tens of megabytes is an array of hundreds of megabytes. After each
    /// slice the bytes are decoded out, so the byte buffer stays small.
    /// </summary>
    private static void WriteString(ref Output output, string name, string value)
    {
        output.Writer.WritePropertyName(name);
        if (value.Length <= SliceChars)
        {
            output.Writer.WriteStringValue(value);
            output.Drain(final: false);
            return;
        }

        var rest = value.AsSpan();
        while (rest.Length > SliceChars)
        {
            // Never split a surrogate pair between two slices.
            var take = char.IsHighSurrogate(rest[SliceChars - 1]) ? SliceChars - 1 : SliceChars;
            output.Writer.WriteStringValueSegment(rest[..take], isFinalSegment: false);
            output.Drain(final: false);
            rest = rest[take..];
        }

        output.Writer.WriteStringValueSegment(rest, isFinalSegment: true);
        output.Drain(final: false);
    }

    /// <summary>Takes what the JSON writer has produced so far out of its buffer: decoded into the destination
    /// characters, copied into the destination bytes, or counted as either.</summary>
    private ref struct Output
    {
        private readonly Span<char> chars;
        private readonly Span<byte> utf8;
        private readonly bool counting;
        private readonly bool inChars;

        // The writer only produces valid UTF-8; a character split between two drains is carried by the decoder.
        private readonly Decoder decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetDecoder();
        private char[]? scratch;
        private Utf8JsonWriter? writer;
        private ArrayBufferWriter<byte>? bytes;

        public Output(bool counting, bool chars)
        {
            this.counting = counting;
            inChars = chars;
        }

        public Output(Span<char> destination)
        {
            chars = destination;
            inChars = true;
        }

        public Output(Span<byte> destination) => utf8 = destination;

        public readonly Utf8JsonWriter Writer => writer!;

        public int Written { get; private set; }

        public void Attach(Utf8JsonWriter jsonWriter, ArrayBufferWriter<byte> buffer)
        {
            writer = jsonWriter;
            bytes = buffer;
        }

        public void Drain(bool final)
        {
            writer!.Flush();
            var pending = bytes!.WrittenSpan;
            if (!inChars)
            {
                if (!counting)
                {
                    if (pending.Length > utf8.Length - Written)
                    {
                        throw new InvalidOperationException("The policy bundle changed while it was being serialized.");
                    }

                    pending.CopyTo(utf8[Written..]);
                }

                Written = checked(Written + pending.Length);
            }
            else if (counting)
            {
                if (scratch is null || scratch.Length < pending.Length)
                {
                    scratch = new char[Math.Max(pending.Length, SliceChars * 4)];
                }

                Written = checked(Written + decoder.GetChars(pending, scratch, final));
            }
            else
            {
                var room = chars[Written..];
                if (decoder.GetCharCount(pending, final) > room.Length)
                {
                    throw new InvalidOperationException("The policy bundle changed while it was being serialized.");
                }

                Written += decoder.GetChars(pending, room, final);
            }

            bytes.ResetWrittenCount();
        }
    }

    public static PolicyBundle Deserialize(string json)
    {
        var document = JsonSerializer.Deserialize(json, PolicyBundleJsonContext.Default.BundleDocument)
            ?? throw new JsonException("A policy bundle must be a JSON object.");
        return document.ToBundle();
    }

    /// <summary>The stored form read as its UTF-8 bytes: parsed in place, with no string of the whole document and no
    /// transcoded copy of it.</summary>
    public static PolicyBundle Deserialize(ReadOnlySpan<byte> utf8)
    {
        var document = JsonSerializer.Deserialize(utf8, PolicyBundleJsonContext.Default.BundleDocument)
            ?? throw new JsonException("A policy bundle must be a JSON object.");
        return document.ToBundle();
    }

    /// <summary>The JSON document; <c>entities</c> is Cedar entity JSON kept as text.</summary>
    public sealed class BundleDocument
    {
        [JsonPropertyName("policies")]
        public Dictionary<string, string>? Policies { get; init; }

        [JsonPropertyName("entities")]
        public string? Entities { get; init; }

        [JsonPropertyName("schema")]
        public string? Schema { get; init; }

        public PolicyBundle ToBundle() => new(
            (Policies ?? []).Select(p => new PolicyFile(p.Key, p.Value)).OrderBy(p => p.Name, StringComparer.Ordinal).ToList(),
            Entities,
            Schema);
    }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PolicyBundleJson.BundleDocument))]
internal sealed partial class PolicyBundleJsonContext : JsonSerializerContext;
