using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;

namespace Mandate.Gateway.Mcp;

/// <summary>
/// What the decision point is asked about for each MCP primitive: a tool is <c>McpTool::"&lt;server&gt;/&lt;tool&gt;"</c>
/// (inside <c>McpServer::"&lt;server&gt;"</c>), decided as <c>read</c> when the upstream annotates it
/// <c>readOnlyHint: true</c> and as <c>write</c> otherwise, unless the gateway's configuration names its action; its
/// attributes are its name, its server and its annotations. Resources (<c>McpResource</c>, by URI) and prompts
/// (<c>McpPrompt</c>) are read.
/// </summary>
internal static class GatewayTargets
{
    public const string Read = "read";
    public const string Write = "write";

    public static GatewayRequestTarget Tool(UpstreamOptions upstream, string name, Tool? tool)
    {
        var properties = new JsonObject { ["name"] = name, ["server"] = upstream.Name };
        if (tool?.Annotations is { } hints)
        {
            Add(properties, "read_only", hints.ReadOnlyHint);
            Add(properties, "destructive", hints.DestructiveHint);
            Add(properties, "idempotent", hints.IdempotentHint);
            Add(properties, "open_world", hints.OpenWorldHint);
        }

        return new GatewayRequestTarget(ActionOf(upstream, name, tool), "McpTool", upstream.Name + "/" + name, properties);
    }

    public static GatewayRequestTarget Resource(UpstreamOptions upstream, string uri) =>
        new(Read, "McpResource", upstream.Name + "/" + uri, new JsonObject { ["uri"] = uri, ["server"] = upstream.Name });

    public static GatewayRequestTarget Prompt(UpstreamOptions upstream, string name) =>
        new(Read, "McpPrompt", upstream.Name + "/" + name, new JsonObject { ["name"] = name, ["server"] = upstream.Name });

    /// <summary>The configured action, else <c>read</c> only for a tool the upstream says is read-only.</summary>
    public static string ActionOf(UpstreamOptions upstream, string name, Tool? tool)
    {
        if (upstream.ToolActions.TryGetValue(name, out var configured))
        {
            return configured;
        }

        return tool?.Annotations?.ReadOnlyHint == true ? Read : Write;
    }

    private static void Add(JsonObject properties, string name, bool? value)
    {
        if (value is { } known)
        {
            properties[name] = known;
        }
    }
}
