using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mandate.Protocol.AuthZen;

/// <summary>The answer to an action search.</summary>
public sealed class ActionSearchResponse
{
    /// <summary>AuthZEN <c>page</c>: where the next page starts; absent when the results are complete.</summary>
    [JsonPropertyName("page")]
    [JsonPropertyOrder(-1)]
    public PageResponse? Page { get; set; }

    /// <summary>AuthZEN <c>context</c>: optional free-form information from the PDP about the search.</summary>
    [JsonPropertyName("context")]
    public JsonElement? Context { get; set; }

    /// <summary>AuthZEN <c>results</c>: the actions the subject may perform on the resource.</summary>
    [JsonPropertyName("results")]
    public IList<AuthZenAction> Results { get; init; } = [];
}
