using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mandate.Protocol.AuthZen;

/// <summary>Token-based paging of a search: <c>token</c> from the previous <c>next_token</c>, and a <c>limit</c>.</summary>
public sealed class PageRequest
{
    [JsonPropertyName("token")]
    public string? Token { get; set; }

    [JsonPropertyName("limit")]
    public int? Limit { get; set; }

    [JsonPropertyName("properties")]
    public JsonElement? Properties { get; set; }
}
