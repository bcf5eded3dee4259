using Mandate.Cedar;

namespace Mandate.Core.Decisions;

/// <summary>
/// The entities an MCP gateway asks about: <c>McpTool::"&lt;server&gt;/&lt;tool&gt;"</c>,
/// <c>McpResource::"&lt;server&gt;/&lt;uri&gt;"</c> and <c>McpPrompt::"&lt;server&gt;/&lt;prompt&gt;"</c>, each inside
/// <c>McpServer::"&lt;server&gt;"</c>. A gateway learns its tools from the upstream at run time, so they are not in the
/// entity store; their parent follows from the id, which is how a policy can say "any read-only tool of this server".
/// A stored entity of the same uid keeps its stored parents.
/// </summary>
internal static class McpEntities
{
    public const string Server = "McpServer";

    private static readonly string[] Primitives = ["McpTool", "McpResource", "McpPrompt"];

    /// <summary>The server an MCP primitive's uid names, or null for any other entity (or an id without a server part).</summary>
    public static EntityUid[]? ParentsOf(EntityUid uid)
    {
        // Every decision's entities come through here: the type's base name is compared as a span, without a copy.
        var separator = uid.Type.LastIndexOf("::", StringComparison.Ordinal);
        var baseStart = separator < 0 ? 0 : separator + 2;
        if (!IsPrimitive(uid.Type.AsSpan(baseStart)))
        {
            return null;
        }

        var slash = uid.Id.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0)
        {
            return null;
        }

        return [new EntityUid(uid.Type[..baseStart] + Server, uid.Id[..slash])];
    }

    private static bool IsPrimitive(ReadOnlySpan<char> baseName)
    {
        foreach (var primitive in Primitives)
        {
            if (baseName.SequenceEqual(primitive))
            {
                return true;
            }
        }

        return false;
    }
}
