using System.Text.Json.Serialization;

namespace Mandate.Protocol.AuthZen;

/// <summary>The <c>page</c> of a search response: <c>next_token</c> is <c>""</c> on the last page.</summary>
public sealed class PageResponse
{
    /// <summary>AuthZEN <c>page.next_token</c>: pass it back to get the next page; empty on the last page.</summary>
    [JsonPropertyName("next_token")]
    public string NextToken { get; set; } = string.Empty;

    /// <summary>AuthZEN <c>page.count</c>: how many results this page holds.</summary>
    [JsonPropertyName("count")]
    public int? Count { get; set; }

    /// <summary>AuthZEN <c>page.total</c>: how many results there are over all pages, when known.</summary>
    [JsonPropertyName("total")]
    public int? Total { get; set; }
}
