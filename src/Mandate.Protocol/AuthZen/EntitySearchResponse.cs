using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mandate.Protocol.AuthZen;

/// <summary>The answer to a subject or resource search.</summary>
public sealed class EntitySearchResponse
{
    [JsonPropertyName("page")]
    [JsonPropertyOrder(-1)]
    public PageResponse? Page { get; set; }

    [JsonPropertyName("context")]
    public JsonElement? Context { get; set; }

    [JsonPropertyName("results")]
    public IList<AuthZenEntity> Results { get; init; } = [];
}
