using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mandate.Protocol.AuthZen;

/// <summary>Token-based paging of a search: <c>token</c> from the previous <c>next_token</c>, and a <c>limit</c>.</summary>
public sealed class PageRequest
{
    /// <summary>AuthZEN <c>page.token</c>: the <c>next_token</c> of the previous page; absent for the first page.</summary>
    [JsonPropertyName("token")]
    public string? Token { get; set; }

    /// <summary>AuthZEN <c>page.limit</c>: the most results the caller wants in this page.</summary>
    [JsonPropertyName("limit")]
    public int? Limit { get; set; }

    /// <summary>AuthZEN <c>page.properties</c>: implementation-specific paging hints.</summary>
    [JsonPropertyName("properties")]
    public JsonElement? Properties { get; set; }
}
