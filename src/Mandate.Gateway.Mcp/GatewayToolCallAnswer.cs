using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace Mandate.Gateway.Mcp;

/// <summary>
/// Answers a <c>tools/call</c> (the hot path) without the SDK's per-request server. In stateless Streamable HTTP the
/// SDK builds a whole MCP server for every request; for a call that costs more than the rest of the gateway's own work,
/// and it runs beside the decision and slows it down. So a call the SDK would plainly accept is answered here, the way
/// the SDK answers it: the same handler code (<see cref="GatewayHandlers.CallDecidedToolAsync"/>: refused unless
/// allowed, forwarded, bounded), the same JSON-RPC result or error serialized with the SDK's own types and options, the
/// same server-sent event and headers, and <c>resultType</c> stamped as the SDK stamps it for protocol 2026-07-28.
/// Anything the SDK would look at more closely (a header it would reject, a protocol version it does not serve, a
/// session id, a base64-encoded <c>Mcp-Name</c>, a task-augmented call, params that do not read as a call) is left to
/// the SDK, which answers as before.
/// </summary>
internal sealed class GatewayToolCallAnswer
{
    private const string ProtocolVersionHeader = "MCP-Protocol-Version";

    /// <summary>The revision that carries its version and capabilities in every request's <c>_meta</c> (SEP-2575).</summary>
    private const string PerRequestMetadataVersion = "2026-07-28";

    private const string ProtocolVersionMeta = "io.modelcontextprotocol/protocolVersion";

    private const string ClientCapabilitiesMeta = "io.modelcontextprotocol/clientCapabilities";

    private const string ClientInfoMeta = "io.modelcontextprotocol/clientInfo";

    private const string LogLevelMeta = "io.modelcontextprotocol/logLevel";

    private const string ServerInfoMeta = "io.modelcontextprotocol/serverInfo";

    /// <summary>The <c>_meta</c> keys only the per-request revision may carry.</summary>
    private static readonly string[] ReservedMeta = [ProtocolVersionMeta, ClientInfoMeta, ClientCapabilitiesMeta, LogLevelMeta];

    /// <summary>The revisions the SDK serves with the <c>initialize</c> handshake: no per-request checks.</summary>
    private static readonly HashSet<string> HandshakeVersions = new(StringComparer.Ordinal) { "2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25" };

    private static readonly JsonTypeInfo<JsonRpcMessage> MessageType = TypeInfo<JsonRpcMessage>();
    private static readonly JsonTypeInfo<CallToolRequestParams> ParamsType = TypeInfo<CallToolRequestParams>();
    private static readonly JsonTypeInfo<CallToolResult> ResultType = TypeInfo<CallToolResult>();
    private static readonly JsonTypeInfo<Implementation> ImplementationType = TypeInfo<Implementation>();
    private static readonly byte[] EventStart = "event: message\ndata: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();

    private readonly JsonRpcRequest request;
    private readonly CallToolRequestParams parameters;
    private readonly bool perRequestRevision;

    private GatewayToolCallAnswer(JsonRpcRequest request, CallToolRequestParams parameters, bool perRequestRevision)
    {
        this.request = request;
        this.parameters = parameters;
        this.perRequestRevision = perRequestRevision;
    }

    /// <summary>The call, when the SDK would accept it as it is; null leaves the request to the SDK.</summary>
    public static GatewayToolCallAnswer? TryPrepare(HttpContext http, GatewayRpcRequest message)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(message);
        var headers = http.Request.Headers;
        if (!HttpMethods.IsPost(http.Request.Method) || !AcceptsJsonAndEvents(http) || !string.IsNullOrEmpty(headers["Mcp-Session-Id"].ToString()))
        {
            return null;
        }

        JsonRpcRequest? call;
        CallToolRequestParams? parameters;
        try
        {
            call = message.Root.Deserialize(MessageType) as JsonRpcRequest;
            parameters = call?.Params is JsonObject given && given["task"] is null ? given.Deserialize(ParamsType) : null;
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            // Whatever the SDK's types cannot read is the SDK's to answer (it says what is wrong with it).
            return null;
        }

        if (call is not { Method: "tools/call" } || parameters is null || string.IsNullOrEmpty(parameters.Name) || parameters.Name != message.Parameter("name"))
        {
            return null;
        }

        var version = headers[ProtocolVersionHeader].ToString();
        var meta = (call.Params as JsonObject)?["_meta"] as JsonObject;
        var metaVersion = meta?[ProtocolVersionMeta] is JsonValue value && value.TryGetValue(out string? declared) ? declared : null;
        if (version.Length == 0 || HandshakeVersions.Contains(version))
        {
            // The keys reserved for per-request metadata are refused by the SDK under the handshake revisions.
            return meta is null || !ReservedMeta.Any(meta.ContainsKey) ? new GatewayToolCallAnswer(call, parameters, perRequestRevision: false) : null;
        }

        if (version != PerRequestMetadataVersion || meta is null || metaVersion != version || !PlainPerRequestMeta(meta))
        {
            return null;
        }

        // SEP-2243: the method and the tool name are repeated in headers, which must match the body. A name outside plain
        // printable ASCII comes base64-encoded; the SDK decodes and checks that one.
        var name = headers["Mcp-Name"].ToString().Trim();
        if (headers["Mcp-Method"].ToString().Trim() != "tools/call" || name != parameters.Name || name.StartsWith("=?", StringComparison.Ordinal)
            || name.Any(c => c is < ' ' or > '~'))
        {
            return null;
        }

        return new GatewayToolCallAnswer(call, parameters, perRequestRevision: true);
    }

    /// <summary>
    /// The per-request metadata as the SDK's client sends it: capabilities as an object, client info (optional) with its
    /// name and version, no log level (which the SDK's server would act on).
    /// </summary>
    private static bool PlainPerRequestMeta(JsonObject meta) =>
        meta[ClientCapabilitiesMeta] is JsonObject
        && !meta.ContainsKey(LogLevelMeta)
        && (!meta.ContainsKey(ClientInfoMeta) || meta[ClientInfoMeta] is JsonObject { } info && info["name"] is JsonValue && info["version"] is JsonValue);

    /// <summary>Waits for the verdict: an HTTP refusal (401, 429, 503) is written as it is; otherwise the call is answered.</summary>
    public async Task AnswerAsync(HttpContext http, Task<GatewayVerdict> verdict, Implementation serverInfo)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(verdict);
        var decided = await verdict;
        if (decided.Refusal is { } refuse)
        {
            await refuse(http);
            return;
        }

        JsonRpcMessage answer;
        try
        {
            var result = await GatewayHandlers.CallDecidedToolAsync(decided.State!, parameters, http.RequestAborted);
            if (perRequestRevision && result.ResultType is null)
            {
                result.ResultType = "complete";
            }

            var node = JsonSerializer.SerializeToNode(result, ResultType);
            if (perRequestRevision && node is JsonObject written)
            {
                // The SDK's server names itself in every successful result of the per-request revision (SEP-2575),
                // replacing what the upstream put there: the agent's server is the gateway.
                if (written["_meta"] is not JsonObject meta)
                {
                    meta = new JsonObject();
                    written["_meta"] = meta;
                }

                meta[ServerInfoMeta] = JsonSerializer.SerializeToNode(serverInfo, ImplementationType);
            }

            answer = new JsonRpcResponse { Id = request.Id, Result = node };
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The agent went away: there is no one to answer.
            return;
        }
        catch (Exception e)
        {
            answer = new JsonRpcError { Id = request.Id, Error = ErrorOf(e) };
        }

        await WriteEventAsync(http, answer, perRequestRevision);
    }

    /// <summary>
    /// The HTTP status of an answer. Under the per-request revision (SEP-2575) the SDK maps a few error codes onto HTTP
    /// statuses before its first byte; an upstream's error can carry one of them.
    /// </summary>
    private static int StatusOf(JsonRpcMessage answer, bool perRequestRevision) =>
        perRequestRevision && answer is JsonRpcError { Error: { } error }
            ? (McpErrorCode)error.Code switch
            {
                McpErrorCode.MethodNotFound => StatusCodes.Status404NotFound,
                McpErrorCode.MissingRequiredClientCapability or McpErrorCode.UnsupportedProtocolVersion or McpErrorCode.HeaderMismatch => StatusCodes.Status400BadRequest,
                _ => StatusCodes.Status200OK,
            }
            : StatusCodes.Status200OK;

    /// <summary>What the SDK's server answers for an exception from a handler (its request loop's mapping).</summary>
    private static JsonRpcErrorDetail ErrorOf(Exception exception) => exception switch
    {
        McpProtocolException protocol => new JsonRpcErrorDetail { Code = (int)protocol.ErrorCode, Message = protocol.Message, Data = DataOf(protocol.Data) },
        McpException mcp => new JsonRpcErrorDetail { Code = (int)McpErrorCode.InternalError, Message = mcp.Message },
        _ => new JsonRpcErrorDetail { Code = (int)McpErrorCode.InternalError, Message = "An error occurred." },
    };

    /// <summary>An upstream's error data (carried in <see cref="Exception.Data"/>) passed on as the SDK passes it: string keys, serializable values.</summary>
    private static Dictionary<string, JsonElement>? DataOf(System.Collections.IDictionary data)
    {
        Dictionary<string, JsonElement>? result = null;
        var type = McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(object));
        foreach (System.Collections.DictionaryEntry entry in data)
        {
            if (entry.Key is not string key)
            {
                continue;
            }

            try
            {
                result ??= new Dictionary<string, JsonElement>(data.Count);
                result[key] = entry.Value is JsonElement element ? element : JsonSerializer.SerializeToElement(entry.Value, type);
            }
            catch (Exception e) when (e is JsonException or NotSupportedException)
            {
                // A value that cannot be written is left out, as the SDK leaves it out.
            }
        }

        return result?.Count > 0 ? result : null;
    }

    /// <summary>One server-sent event holding the JSON-RPC answer, with the headers the SDK's transport sets.</summary>
    private static async Task WriteEventAsync(HttpContext http, JsonRpcMessage answer, bool perRequestRevision)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(answer, MessageType);
        var body = new byte[EventStart.Length + json.Length + EventEnd.Length];
        EventStart.CopyTo(body, 0);
        json.CopyTo(body, EventStart.Length);
        EventEnd.CopyTo(body, EventStart.Length + json.Length);
        var response = http.Response;
        response.StatusCode = StatusOf(answer, perRequestRevision);
        response.Headers.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache,no-store";
        response.Headers.ContentEncoding = "identity";
        response.Headers["X-Accel-Buffering"] = "no";
        http.Features.GetRequiredFeature<IHttpResponseBodyFeature>().DisableBuffering();
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, http.RequestAborted);
    }

    private static bool AcceptsJsonAndEvents(HttpContext http)
    {
        var accept = http.Request.GetTypedHeaders().Accept;
        return accept.Any(a => a.MatchesMediaType("application/json")) && accept.Any(a => a.MatchesMediaType("text/event-stream"));
    }

    private static JsonTypeInfo<T> TypeInfo<T>() => (JsonTypeInfo<T>)McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(T));
}
