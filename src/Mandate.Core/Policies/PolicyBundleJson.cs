using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mandate.Core.Policies;

/// <summary>The stored (and admin API) JSON form of a bundle: <c>{"policies":{"name.cedar":"…"},"entities":…,"schema":"…"}</c>.</summary>
internal static class PolicyBundleJson
{
    public static string Serialize(PolicyBundle bundle)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        var document = new BundleDocument
        {
            Policies = bundle.Policies.ToDictionary(p => p.Name, p => p.Text, StringComparer.Ordinal),
            Entities = bundle.EntitiesJson,
            Schema = bundle.Schema,
        };
        return JsonSerializer.Serialize(document, PolicyBundleJsonContext.Default.BundleDocument);
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
