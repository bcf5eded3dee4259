using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mandate.Protocol.AuthZen;

/// <summary>
/// The body of the three search endpoints. Subject search leaves <c>subject.id</c> out, resource search
/// <c>resource.id</c>, and action search has no <c>action</c>.
/// </summary>
public sealed class SearchRequest
{
    [JsonPropertyName("subject")]
    public AuthZenEntity? Subject { get; set; }

    [JsonPropertyName("action")]
    public AuthZenAction? Action { get; set; }

    [JsonPropertyName("resource")]
    public AuthZenEntity? Resource { get; set; }

    [JsonPropertyName("context")]
    public JsonElement? Context { get; set; }

    [JsonPropertyName("page")]
    public PageRequest? Page { get; set; }
}
