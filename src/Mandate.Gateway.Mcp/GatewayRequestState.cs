namespace Mandate.Gateway.Mcp;

/// <summary>
/// What the gateway decided about one HTTP request before the MCP server code sees it: the upstream it is for, the
/// decision of a call, or the names the caller may see in a list. The handlers act on it and never decide themselves.
/// </summary>
internal sealed class GatewayRequestState
{
    public const string ItemKey = "mandate.gateway.request";

    /// <summary>The item holding a call's verdict (a <c>Task&lt;GatewayVerdict&gt;</c>) while it is being decided.</summary>
    public const string PendingKey = "mandate.gateway.pending";

    public required UpstreamServer Upstream { get; init; }

    public required AgentCredential Credential { get; init; }

    /// <summary>The JSON-RPC method of the request body.</summary>
    public string? Method { get; init; }

    /// <summary>The tool, resource URI or prompt the call names.</summary>
    public string? Target { get; init; }

    /// <summary>The decision for a call (<c>tools/call</c>, <c>resources/read</c>, <c>prompts/get</c>).</summary>
    public GatewayDecision? Decision { get; init; }

    /// <summary>For a list: the names (tools, prompts) or URIs (resources, templates) the caller may use now.</summary>
    public IReadOnlySet<string>? Permitted { get; init; }

    /// <summary>Why the upstream could not be asked while deciding (it is down): the handler reports it.</summary>
    public string? UpstreamError { get; init; }
}
