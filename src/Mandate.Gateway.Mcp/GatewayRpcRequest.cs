using System.Text.Json;

namespace Mandate.Gateway.Mcp;

/// <summary>
/// What the gateway reads of one JSON-RPC request body, parsed once: the method, the name or URI it is about and the
/// call's arguments (kept as the JSON they came in, so they go to the decision point without being rebuilt). Only the
/// MCP server code answers the request; this is what the decision is about.
/// </summary>
internal sealed class GatewayRpcRequest : IDisposable
{
    private readonly JsonDocument document;
    private readonly JsonElement parameters;

    private GatewayRpcRequest(JsonDocument document)
    {
        this.document = document;
        var root = document.RootElement;
        Method = root.TryGetProperty("method", out var method) && method.ValueKind == JsonValueKind.String ? method.GetString() : null;
        parameters = root.TryGetProperty("params", out var given) && given.ValueKind == JsonValueKind.Object ? given : default;
    }

    public string? Method { get; }

    /// <summary>The whole request, for the SDK's own reading of it (<see cref="GatewayToolCallAnswer"/>).</summary>
    public JsonElement Root => document.RootElement;

    /// <summary>The call's <c>params.arguments</c>, when it has any.</summary>
    public JsonElement? Arguments =>
        parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty("arguments", out var arguments) ? arguments : null;

    /// <summary>The body as one JSON-RPC object, or null (not JSON, a batch): the MCP server code then answers it.</summary>
    public static GatewayRpcRequest? TryParse(ReadOnlyMemory<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            return null;
        }

        return new GatewayRpcRequest(document);
    }

    /// <summary>A non-empty string member of <c>params</c> (the tool or prompt name, the resource URI), or null.</summary>
    public string? Parameter(string name) =>
        parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty(name, out var value)
            && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : null;

    public void Dispose() => document.Dispose();
}
