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
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    /// <summary>
    /// Writes the bundle into one buffer sized up front from its texts, then decodes it once: a 10,000-policy bundle
    /// of tens of megabytes costs about its own size twice (UTF-8 and the string), not a chain of doubled buffers.
    /// </summary>
    public static string Serialize(PolicyBundle bundle)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        long estimate = 64 + (bundle.EntitiesJson?.Length ?? 0) + (bundle.Schema?.Length ?? 0);
        foreach (var policy in bundle.Policies)
        {
            estimate += 8 + policy.Name.Length + policy.Text.Length;
        }

        // Escaped quotes and backslashes and multi-byte characters make the text longer; an eighth more is usually enough.
        var buffer = new ArrayBufferWriter<byte>((int)Math.Min(Array.MaxLength, estimate + (estimate / 8)));
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("policies");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var policy in bundle.Policies)
            {
                if (!seen.Add(policy.Name))
                {
                    throw new ArgumentException($"The bundle names the policy file '{policy.Name}' twice.", nameof(bundle));
                }

                WriteString(writer, policy.Name, policy.Text);
            }

            writer.WriteEndObject();
            if (bundle.EntitiesJson is { } entities)
            {
                WriteString(writer, "entities", entities);
            }

            if (bundle.Schema is { } schema)
            {
                WriteString(writer, "schema", schema);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// Writes a value in slices: the writer escapes and transcodes a value in a scratch buffer of up to six bytes per
    /// character, which for one entities file of tens of megabytes is an array of hundreds of megabytes.
    /// </summary>
    private static void WriteString(Utf8JsonWriter writer, string name, string value)
    {
        const int Slice = 16 * 1024;
        writer.WritePropertyName(name);
        if (value.Length <= Slice)
        {
            writer.WriteStringValue(value);
            return;
        }

        var rest = value.AsSpan();
        while (rest.Length > Slice)
        {
            // Never split a surrogate pair between two slices.
            var take = char.IsHighSurrogate(rest[Slice - 1]) ? Slice - 1 : Slice;
            writer.WriteStringValueSegment(rest[..take], isFinalSegment: false);
            rest = rest[take..];
        }

        writer.WriteStringValueSegment(rest, isFinalSegment: true);
    }

    public static PolicyBundle Deserialize(string json)
    {
        var document = JsonSerializer.Deserialize(json, PolicyBundleJsonContext.Default.BundleDocument)
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
