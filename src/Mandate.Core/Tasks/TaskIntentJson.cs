using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mandate.Core.Tasks;

/// <summary>The one JSON form of an intent (store, token claim, API): snake_case, sensitivity as its lower-case name.</summary>
internal static class TaskIntentJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
    };

    public static string Serialize(TaskIntent intent) => JsonSerializer.Serialize(intent, Options);

    public static TaskIntent Deserialize(string json) =>
        JsonSerializer.Deserialize<TaskIntent>(json, Options) ?? throw new JsonException("The task intent is null.");
}
