using System.Text.Json.Serialization;

namespace Mandate.Protocol.AuthZen;

/// <summary>The <c>page</c> of a search response: <c>next_token</c> is <c>""</c> on the last page.</summary>
public sealed class PageResponse
{
    [JsonPropertyName("next_token")]
    public string NextToken { get; set; } = string.Empty;

    [JsonPropertyName("count")]
    public int? Count { get; set; }

    [JsonPropertyName("total")]
    public int? Total { get; set; }
}
