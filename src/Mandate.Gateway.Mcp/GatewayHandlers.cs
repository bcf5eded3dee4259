using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Mandate.Gateway.Mcp;

/// <summary>
/// The MCP side of the gateway: lists show only what <see cref="GatewayMiddleware"/> found the caller may use; a call
/// goes to the upstream only when its decision allowed it, and a refusal is an MCP error naming the reason (the deny
/// code and its user-facing description, never a policy or a secret). Upstream answers larger than the limit, slow
/// upstreams and stopped upstreams are MCP errors that say so.
/// </summary>
internal static class GatewayHandlers
{
    /// <summary>The JSON-RPC error code of a call Mandate refused (implementation-defined range, JSON-RPC 2.0 §5.1).</summary>
    public const int RefusedCode = -32003;

    /// <summary>The JSON-RPC error code of an upstream that cannot answer (down, restarting, too slow, too large an answer).</summary>
    public const int UpstreamErrorCode = -32004;

    public static async ValueTask<ListToolsResult> ListToolsAsync(RequestContext<ListToolsRequestParams> request, CancellationToken ct)
    {
        var state = StateOf(request);
        var catalogue = await CatalogueAsync(state, ct);
        return new ListToolsResult { Tools = catalogue.Tools.Where(t => state.Permitted?.Contains(t.Name) == true).ToList() };
    }

    public static async ValueTask<ListResourcesResult> ListResourcesAsync(RequestContext<ListResourcesRequestParams> request, CancellationToken ct)
    {
        var state = StateOf(request);
        var catalogue = await CatalogueAsync(state, ct);
        return new ListResourcesResult { Resources = catalogue.Resources.Where(r => state.Permitted?.Contains(r.Uri) == true).ToList() };
    }

    public static async ValueTask<ListResourceTemplatesResult> ListResourceTemplatesAsync(RequestContext<ListResourceTemplatesRequestParams> request, CancellationToken ct)
    {
        var state = StateOf(request);
        var catalogue = await CatalogueAsync(state, ct);
        return new ListResourceTemplatesResult { ResourceTemplates = catalogue.Templates.Where(t => state.Permitted?.Contains(t.UriTemplate) == true).ToList() };
    }

    public static async ValueTask<ListPromptsResult> ListPromptsAsync(RequestContext<ListPromptsRequestParams> request, CancellationToken ct)
    {
        var state = StateOf(request);
        var catalogue = await CatalogueAsync(state, ct);
        return new ListPromptsResult { Prompts = catalogue.Prompts.Where(p => state.Permitted?.Contains(p.Name) == true).ToList() };
    }

    public static async ValueTask<CallToolResult> CallToolAsync(RequestContext<CallToolRequestParams> request, CancellationToken ct)
    {
        var state = await DecidedAsync(request);
        var parameters = request.Params ?? throw new McpProtocolException("tools/call needs params.", McpErrorCode.InvalidParams);
        return await CallDecidedToolAsync(state, parameters, ct);
    }

    /// <summary>
    /// A decided <c>tools/call</c>: refused unless its decision allowed it, else forwarded and its answer bounded. The
    /// SDK's handler and <see cref="GatewayToolCallAnswer"/> (which answers a call without the SDK's per-request
    /// server) both end here, so they refuse, forward and bound alike.
    /// </summary>
    internal static async Task<CallToolResult> CallDecidedToolAsync(GatewayRequestState state, CallToolRequestParams parameters, CancellationToken ct)
    {
        Allowed(state, "tools/call", parameters.Name);
        var result = await ForwardAsync(state, (client, token) => client.CallToolAsync(parameters, token), ct);
        return Bounded(state, result, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(CallToolResult)));
    }

    public static async ValueTask<ReadResourceResult> ReadResourceAsync(RequestContext<ReadResourceRequestParams> request, CancellationToken ct)
    {
        var state = await DecidedAsync(request);
        var parameters = request.Params ?? throw new McpProtocolException("resources/read needs params.", McpErrorCode.InvalidParams);
        Allowed(state, "resources/read", parameters.Uri);
        var result = await ForwardAsync(state, (client, token) => client.ReadResourceAsync(parameters, token), ct);
        return Bounded(state, result, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(ReadResourceResult)));
    }

    public static async ValueTask<GetPromptResult> GetPromptAsync(RequestContext<GetPromptRequestParams> request, CancellationToken ct)
    {
        var state = await DecidedAsync(request);
        var parameters = request.Params ?? throw new McpProtocolException("prompts/get needs params.", McpErrorCode.InvalidParams);
        Allowed(state, "prompts/get", parameters.Name);
        var result = await ForwardAsync(state, (client, token) => client.GetPromptAsync(parameters, token), ct);
        return Bounded(state, result, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(GetPromptResult)));
    }

    /// <summary>Refuses unless this very call was decided and allowed.</summary>
    private static void Allowed(GatewayRequestState state, string method, string target)
    {
        if (state.UpstreamError is { } upstreamError)
        {
            throw new McpProtocolException(upstreamError, (McpErrorCode)UpstreamErrorCode);
        }

        if (state.Method != method || state.Target != target || state.Decision is not { } decision)
        {
            // The request was not one the gateway decided (a batch, an unexpected shape): nothing passes undecided.
            throw new McpProtocolException($"Mandate refused {method} '{target}': the request was not decided by the gateway.", (McpErrorCode)RefusedCode);
        }

        if (!decision.Allowed)
        {
            throw new McpProtocolException(RefusalMessage(method, target, decision), (McpErrorCode)RefusedCode);
        }
    }

    /// <summary>"Mandate refused tools/call of 'write_file': outside_task_scope (The task does not include the action 'write'.)".</summary>
    internal static string RefusalMessage(string method, string target, GatewayDecision decision)
    {
        var why = decision.Reason is { } reason
            ? reason + (decision.Description is { } description ? " (" + description + ")" : string.Empty)
            : "denied by policy";
        var id = decision.DecisionId is { } decisionId ? $"; decision {decisionId}" : string.Empty;
        return $"Mandate refused {method} of '{target}': {why}{id}.";
    }

    private static async Task<T> ForwardAsync<T>(GatewayRequestState state, Func<ModelContextProtocol.Client.McpClient, CancellationToken, ValueTask<T>> send, CancellationToken ct)
    {
        try
        {
            return await state.Upstream.SendAsync(send, ct);
        }
        catch (UpstreamUnavailableException e)
        {
            throw new McpProtocolException(e.Message, (McpErrorCode)UpstreamErrorCode);
        }
    }

    private static T Bounded<T>(GatewayRequestState state, T result, System.Text.Json.Serialization.Metadata.JsonTypeInfo typeInfo)
    {
        // The answer is measured as it would be written, without keeping the bytes, and only up to the limit.
        var limits = state.Upstream.Limits;
        using var counter = new ByteCountingStream(limits.MaxResponseBytes);
        try
        {
            JsonSerializer.Serialize(counter, result, typeInfo);
        }
        catch (ByteCountingStream.LimitExceededException)
        {
            throw new McpProtocolException(
                $"The MCP server '{state.Upstream.Name}' answered more than {limits.MaxResponseBytes} bytes; the gateway passes on at most {limits.MaxResponseBytes}.",
                (McpErrorCode)UpstreamErrorCode);
        }

        return result;
    }

    private static async Task<Catalogue> CatalogueAsync(GatewayRequestState state, CancellationToken ct)
    {
        if (state.UpstreamError is { } upstreamError)
        {
            throw new McpProtocolException(upstreamError, (McpErrorCode)UpstreamErrorCode);
        }

        try
        {
            return await state.Upstream.CatalogueAsync(ct);
        }
        catch (UpstreamUnavailableException e)
        {
            throw new McpProtocolException(e.Message, (McpErrorCode)UpstreamErrorCode);
        }
    }

    /// <summary>
    /// A call's state once its verdict is in (the middleware decides it while the MCP server code dispatches). A call
    /// refused at the HTTP level ends here: the middleware answers it with that refusal instead of what is written now.
    /// </summary>
    private static async Task<GatewayRequestState> DecidedAsync<TParams>(RequestContext<TParams> request)
    {
        var http = request.Services?.GetService<IHttpContextAccessor>()?.HttpContext;
        if (http?.Items[GatewayRequestState.PendingKey] is Task<GatewayVerdict> pending)
        {
            var verdict = await pending;
            return verdict.State
                ?? throw new McpProtocolException("Mandate refused the request.", (McpErrorCode)RefusedCode);
        }

        return StateOf(request);
    }

    private static GatewayRequestState StateOf<TParams>(RequestContext<TParams> request)
    {
        var http = request.Services?.GetService<IHttpContextAccessor>()?.HttpContext;
        if (http?.Items[GatewayRequestState.ItemKey] is GatewayRequestState state)
        {
            return state;
        }

        throw new McpProtocolException("Mandate refused the request: it was not decided by the gateway.", (McpErrorCode)RefusedCode);
    }
}
