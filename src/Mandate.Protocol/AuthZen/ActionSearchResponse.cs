using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mandate.Protocol.AuthZen;

/// <summary>The answer to an action search.</summary>
public sealed class ActionSearchResponse
{
    [JsonPropertyName("page")]
    [JsonPropertyOrder(-1)]
    public PageResponse? Page { get; set; }

    [JsonPropertyName("context")]
    public JsonElement? Context { get; set; }

    [JsonPropertyName("results")]
    public IList<AuthZenAction> Results { get; init; } = [];
}
