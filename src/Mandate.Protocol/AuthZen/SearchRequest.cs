using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mandate.Protocol.AuthZen;

/// <summary>
/// The body of the three search endpoints. Subject search leaves <c>subject.id</c> out, resource search
/// <c>resource.id</c>, and action search has no <c>action</c>.
/// </summary>
public sealed class SearchRequest
{
    /// <summary>AuthZEN <c>subject</c>: the subject, without <c>id</c> in a subject search.</summary>
    [JsonPropertyName("subject")]
    public AuthZenEntity? Subject { get; set; }

    /// <summary>AuthZEN <c>action</c>: the action; absent in an action search.</summary>
    [JsonPropertyName("action")]
    public AuthZenAction? Action { get; set; }

    /// <summary>AuthZEN <c>resource</c>: the resource, without <c>id</c> in a resource search.</summary>
    [JsonPropertyName("resource")]
    public AuthZenEntity? Resource { get; set; }

    /// <summary>AuthZEN <c>context</c>: request context, as in an evaluation.</summary>
    [JsonPropertyName("context")]
    public JsonElement? Context { get; set; }

    /// <summary>AuthZEN <c>page</c>: which page of results to return.</summary>
    [JsonPropertyName("page")]
    public PageRequest? Page { get; set; }
}
