using System.Text.Json.Serialization;

namespace Mandate.Server.Decisions;

/// <summary>The answer of <c>/v1/decisions/permitted</c>.</summary>
internal sealed class PermittedResponse
{
    [JsonPropertyName("credential")]
    public required PermittedCredential Credential { get; init; }

    /// <summary>One entry per item, in order; empty when the credential is not valid.</summary>
    [JsonPropertyName("permitted")]
    public required IReadOnlyList<bool> Permitted { get; init; }
}

/// <summary>The verdict on the presented credential: valid (with its task and chain), or why not.</summary>
internal sealed class PermittedCredential
{
    [JsonPropertyName("valid")]
    public bool Valid { get; init; }

    [JsonPropertyName("reason")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Reason { get; init; }

    [JsonPropertyName("reason_user")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ReasonUser { get; init; }

    [JsonPropertyName("task_id")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TaskId { get; init; }

    [JsonPropertyName("chain")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Chain { get; init; }
}

[JsonSerializable(typeof(PermittedResponse))]
internal sealed partial class PermittedJsonContext : JsonSerializerContext;
